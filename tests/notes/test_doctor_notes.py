"""/api/doctor-notes: a doctor's private notes. Only the doctor who wrote a note ever
sees or changes it; admins and owners get 403, another doctor 404."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import DoctorNote
from tests.factories import AppointmentFactory, DoctorNoteFactory, PatientFactory
from tests.scheduling.helpers import MONDAY, assert_error, assert_field_error

NOTES = "/api/doctor-notes/"
NOTE_KEYS = {
    "id",
    "patient_id",
    "doctor_id",
    "appointment_id",
    "content",
    "created_at",
    "updated_at",
}

# Session auth (one join), the patient lookup, count, page.
NOTE_LIST_QUERIES = 4


def note_url(note) -> str:
    return f"{NOTES}{getattr(note, 'pk', note)}/"


def patient_notes_url(patient) -> str:
    return f"{NOTES}patient/{getattr(patient, 'pk', patient)}/"


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


def note(doctor, patient, content="Sleeps badly since March.", **kwargs) -> DoctorNote:
    return DoctorNoteFactory(doctor=doctor.doctor, patient=patient, content=content, **kwargs)


def visit(doctor, patient, **kwargs):
    return AppointmentFactory(
        doctor=doctor.doctor, patient=patient, scheduled_date=MONDAY, **kwargs
    )


# Listing ----------------------------------------------------------------------------------


def test_doctor_lists_their_own_notes_on_a_patient_newest_first(
    api, doctor, other_doctor, shared_patient, patient
):
    now = timezone.now()
    oldest, middle, newest = (note(doctor, shared_patient, f"Note {n}") for n in range(3))
    for age, row in ((3, oldest), (2, middle), (1, newest)):
        DoctorNote.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=age))
    note(other_doctor, shared_patient, "Dr. Patel's own note")
    note(doctor, patient, "A note on another patient")

    response = api(doctor).get(patient_notes_url(shared_patient))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert body["previous"] is None
    assert body["next"] is None
    assert ids(response) == [str(newest.pk), str(middle.pk), str(oldest.pk)]
    first = body["results"][0]
    assert set(first) == NOTE_KEYS
    assert first["content"] == "Note 2"
    assert first["doctor_id"] == str(doctor.doctor.pk)
    assert first["patient_id"] == str(shared_patient.pk)
    assert first["appointment_id"] is None


def test_note_list_answers_without_a_trailing_slash(api, doctor, patient):
    mine = note(doctor, patient)

    response = api(doctor).get(patient_notes_url(patient).rstrip("/"))

    assert response.status_code == 200, response.content
    assert ids(response) == [str(mine.pk)]


def test_doctor_with_no_notes_on_their_patient_gets_an_empty_page(api, doctor, patient):
    response = api(doctor).get(patient_notes_url(patient))

    assert response.status_code == 200, response.content
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_note_list_is_paginated(api, doctor, patient):
    DoctorNoteFactory.create_batch(30, doctor=doctor.doctor, patient=patient)
    client = api(doctor)

    first = client.get(patient_notes_url(patient))
    second = client.get(patient_notes_url(patient), {"page": 2})
    small = client.get(patient_notes_url(patient), {"page_size": 10})

    assert first.status_code == second.status_code == small.status_code == 200
    assert first.json()["count"] == 30
    assert len(first.json()["results"]) == 25
    assert first.json()["next"] is not None
    assert len(second.json()["results"]) == 5
    assert set(ids(first)).isdisjoint(ids(second))
    assert len(small.json()["results"]) == 10


def test_doctor_gets_404_for_notes_of_a_patient_they_do_not_see(api, doctor, stranger):
    """Even a note the doctor once wrote stays hidden when they no longer see the patient."""
    note(doctor, stranger)

    response = api(doctor).get(patient_notes_url(stranger))

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("patient_id", [uuid.uuid4(), "not-a-uuid"])
def test_unknown_or_malformed_patient_gets_404_on_note_list(api, doctor, patient, patient_id):
    response = api(doctor).get(patient_notes_url(patient_id))

    assert response.status_code == 404


def test_doctor_gets_404_for_notes_of_another_clinics_patient(api, doctor, outsider_patient):
    response = api(doctor).get(patient_notes_url(outsider_patient))

    assert_error(response, 404, "not_found")


def test_outsider_doctor_gets_404_for_notes_of_our_patient(api, outsider_doctor, doctor, patient):
    note(doctor, patient)

    response = api(outsider_doctor).get(patient_notes_url(patient))

    assert_error(response, 404, "not_found")


# Creating ---------------------------------------------------------------------------------


def test_doctor_writes_a_note_on_their_patient(api, clinic, doctor, patient):
    response = api(doctor).post(
        NOTES, {"patient_id": str(patient.pk), "content": "Knee pain after running."}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == NOTE_KEYS
    assert body["content"] == "Knee pain after running."
    assert body["patient_id"] == str(patient.pk)
    assert body["doctor_id"] == str(doctor.doctor.pk)
    assert body["appointment_id"] is None
    saved = DoctorNote.objects.get(pk=body["id"])
    assert (saved.clinic_id, saved.doctor_id) == (clinic.pk, doctor.doctor.pk)


def test_doctor_links_a_note_to_their_visit_with_the_patient(api, doctor, patient):
    appt = visit(doctor, patient)

    response = api(doctor).post(
        NOTES,
        {"patient_id": str(patient.pk), "appointment_id": str(appt.pk), "content": "Seen today."},
    )

    assert response.status_code == 201, response.content
    assert response.json()["appointment_id"] == str(appt.pk)
    assert DoctorNote.objects.get(pk=response.json()["id"]).appointment_id == appt.pk


def test_note_author_and_clinic_come_from_the_caller_not_the_body(
    api, clinic, other_clinic, doctor, other_doctor, patient
):
    response = api(doctor).post(
        NOTES,
        {
            "patient_id": str(patient.pk),
            "content": "Mine.",
            "doctor_id": str(other_doctor.doctor.pk),
            "clinic_id": str(other_clinic.pk),
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["doctor_id"] == str(doctor.doctor.pk)
    saved = DoctorNote.objects.get(pk=response.json()["id"])
    assert (saved.clinic_id, saved.doctor_id) == (clinic.pk, doctor.doctor.pk)


@pytest.mark.parametrize(
    "which", ["stranger", "outsider_patient", "unknown", "malformed", "missing", "null"]
)
def test_note_on_a_patient_who_is_not_the_doctors_gets_400_naming_patient_id(
    request, api, doctor, which
):
    values = {"unknown": str(uuid.uuid4()), "malformed": "12345", "null": None}
    if which in ("stranger", "outsider_patient"):
        values[which] = str(request.getfixturevalue(which).pk)
    body = {"content": "Should not be written."}
    if which != "missing":
        body["patient_id"] = values[which]

    response = api(doctor).post(NOTES, body, format="json")

    assert_field_error(response, "patient_id")
    assert DoctorNote.objects.count() == 0


@pytest.fixture
def foreign_visits(clinic, doctor, other_doctor, patient, shared_patient, outsider_doctor):
    """Visits a note on ``shared_patient`` by ``doctor`` may not link to."""
    return {
        "other_doctors_visit_with_the_patient": visit(other_doctor, shared_patient),
        "own_visit_with_another_patient": visit(doctor, patient),
        "another_clinics_visit": AppointmentFactory(
            doctor=outsider_doctor.doctor, scheduled_date=MONDAY
        ),
    }


@pytest.mark.parametrize(
    "which",
    [
        "other_doctors_visit_with_the_patient",
        "own_visit_with_another_patient",
        "another_clinics_visit",
        "unknown",
        "malformed",
    ],
)
def test_note_linked_to_a_visit_that_is_not_the_doctors_with_the_patient_gets_400(
    api, doctor, shared_patient, foreign_visits, which
):
    values = {k: str(v.pk) for k, v in foreign_visits.items()}
    values.update(unknown=str(uuid.uuid4()), malformed="visit-1")

    response = api(doctor).post(
        NOTES,
        {"patient_id": str(shared_patient.pk), "appointment_id": values[which], "content": "x"},
    )

    assert_field_error(response, "appointment_id")
    assert DoctorNote.objects.count() == 0


@pytest.mark.parametrize("content", [None, "", "   ", "x" * 10_001])
def test_missing_blank_or_too_long_content_gets_400(api, doctor, patient, content):
    body = {"patient_id": str(patient.pk)}
    if content is not None:
        body["content"] = content

    response = api(doctor).post(NOTES, body)

    assert_field_error(response, "content")
    assert DoctorNote.objects.count() == 0


def test_content_of_exactly_ten_thousand_characters_is_accepted(api, doctor, patient):
    response = api(doctor).post(NOTES, {"patient_id": str(patient.pk), "content": "y" * 10_000})

    assert response.status_code == 201, response.content
    assert len(response.json()["content"]) == 10_000


# Updating ---------------------------------------------------------------------------------


def test_doctor_edits_the_content_of_their_note_and_nothing_else_changes(api, doctor, patient):
    appt = visit(doctor, patient)
    mine = note(doctor, patient, "Before.", appointment=appt)

    response = api(doctor).put(note_url(mine), {"content": "After."})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["content"] == "After."
    assert body["appointment_id"] == str(appt.pk)
    assert body["patient_id"] == str(patient.pk)
    mine.refresh_from_db()
    assert (mine.content, mine.appointment_id) == ("After.", appt.pk)


def test_doctor_links_and_unlinks_their_note_to_a_visit(api, doctor, patient):
    appt = visit(doctor, patient)
    mine = note(doctor, patient, "Unchanged.")
    client = api(doctor)

    linked = client.put(note_url(mine), {"appointment_id": str(appt.pk)}, format="json")
    unlinked = client.put(note_url(mine), {"appointment_id": None}, format="json")

    assert linked.status_code == 200, linked.content
    assert linked.json()["appointment_id"] == str(appt.pk)
    assert unlinked.status_code == 200, unlinked.content
    assert unlinked.json()["appointment_id"] is None
    mine.refresh_from_db()
    assert (mine.content, mine.appointment_id) == ("Unchanged.", None)


def test_note_update_answers_without_a_trailing_slash(api, doctor, patient):
    mine = note(doctor, patient)

    response = api(doctor).put(note_url(mine).rstrip("/"), {"content": "No slash."})

    assert response.status_code == 200, response.content
    assert response.json()["content"] == "No slash."


def test_the_patient_of_a_note_cannot_change(api, doctor, patient, shared_patient):
    mine = note(doctor, patient)

    response = api(doctor).put(
        note_url(mine), {"patient_id": str(shared_patient.pk), "content": "Still Ann's."}
    )

    assert response.status_code == 200, response.content
    assert response.json()["patient_id"] == str(patient.pk)
    mine.refresh_from_db()
    assert mine.patient_id == patient.pk


def test_linking_a_note_to_another_doctors_visit_gets_400(
    api, doctor, other_doctor, shared_patient
):
    mine = note(doctor, shared_patient, "Before.")
    theirs = visit(other_doctor, shared_patient)

    response = api(doctor).put(note_url(mine), {"appointment_id": str(theirs.pk)})

    assert_field_error(response, "appointment_id")
    mine.refresh_from_db()
    assert mine.appointment_id is None


@pytest.mark.parametrize("content", ["", "   ", "x" * 10_001])
def test_blank_or_too_long_content_on_update_gets_400(api, doctor, patient, content):
    mine = note(doctor, patient, "Before.")

    response = api(doctor).put(note_url(mine), {"content": content})

    assert_field_error(response, "content")
    mine.refresh_from_db()
    assert mine.content == "Before."


def test_another_doctor_gets_404_editing_a_note_on_a_shared_patient(
    api, doctor, other_doctor, shared_patient
):
    mine = note(doctor, shared_patient, "Private.")

    response = api(other_doctor).put(note_url(mine), {"content": "Overwritten."})

    assert_error(response, 404, "not_found")
    mine.refresh_from_db()
    assert mine.content == "Private."


def test_outsider_doctor_gets_404_editing_our_note(api, outsider_doctor, doctor, patient):
    mine = note(doctor, patient, "Private.")

    response = api(outsider_doctor).put(note_url(mine), {"content": "Overwritten."})

    assert_error(response, 404, "not_found")
    mine.refresh_from_db()
    assert mine.content == "Private."


def test_unknown_note_gets_404_on_update(api, doctor, patient):
    response = api(doctor).put(note_url(uuid.uuid4()), {"content": "x"})

    assert_error(response, 404, "not_found")


# Deleting ---------------------------------------------------------------------------------


def test_doctor_deletes_their_note(api, doctor, patient):
    mine = note(doctor, patient)
    client = api(doctor)

    response = client.delete(note_url(mine))
    again = client.delete(note_url(mine))

    assert response.status_code == 204
    assert response.content == b""
    assert not DoctorNote.objects.filter(pk=mine.pk).exists()
    assert_error(again, 404, "not_found")


def test_another_doctor_gets_404_deleting_a_note_on_a_shared_patient(
    api, doctor, other_doctor, shared_patient
):
    mine = note(doctor, shared_patient)

    response = api(other_doctor).delete(note_url(mine))

    assert_error(response, 404, "not_found")
    assert DoctorNote.objects.filter(pk=mine.pk).exists()


def test_outsider_doctor_gets_404_deleting_our_note(api, outsider_doctor, doctor, patient):
    mine = note(doctor, patient)

    response = api(outsider_doctor).delete(note_url(mine))

    assert_error(response, 404, "not_found")
    assert DoctorNote.objects.filter(pk=mine.pk).exists()


# Two doctors, one patient -------------------------------------------------------------


def test_two_doctors_sharing_a_patient_never_see_each_others_notes(
    api, admin, doctor, other_doctor, shared_patient
):
    chen, patel = api(doctor), api(other_doctor)
    chens = chen.post(NOTES, {"patient_id": str(shared_patient.pk), "content": "CHEN-SECRET-41"})
    patels = patel.post(NOTES, {"patient_id": str(shared_patient.pk), "content": "PATEL-SECRET-7"})
    assert chens.status_code == patels.status_code == 201

    chen_list = chen.get(patient_notes_url(shared_patient))
    patel_list = patel.get(patient_notes_url(shared_patient))

    assert ids(chen_list) == [chens.json()["id"]]
    assert ids(patel_list) == [patels.json()["id"]]
    assert "CHEN-SECRET-41" not in patel_list.content.decode()
    assert "PATEL-SECRET-7" not in chen_list.content.decode()
    assert_error(patel.put(note_url(chens.json()["id"]), {"content": "x"}), 404, "not_found")
    assert_error(patel.delete(note_url(chens.json()["id"])), 404, "not_found")
    assert_error(chen.put(note_url(patels.json()["id"]), {"content": "x"}), 404, "not_found")
    assert_error(chen.delete(note_url(patels.json()["id"])), 404, "not_found")
    # Nor does a note surface on the shared patient's pages.
    for path in (
        f"/api/patients/{shared_patient.pk}/",
        f"/api/patients/{shared_patient.pk}/history/",
    ):
        for client in (chen, patel, api(admin)):
            page = client.get(path)
            assert page.status_code == 200, page.content
            assert "SECRET" not in page.content.decode()
    assert DoctorNote.objects.get(pk=chens.json()["id"]).content == "CHEN-SECRET-41"


# Roles ------------------------------------------------------------------------------------


@pytest.fixture
def existing_note(doctor, patient):
    return note(doctor, patient, "Untouched.")


def _call(client, method, patient, existing):
    if method == "list":
        return client.get(patient_notes_url(patient))
    if method == "create":
        return client.post(NOTES, {"patient_id": str(patient.pk), "content": "Intruder."})
    if method == "update":
        return client.put(note_url(existing), {"content": "Intruder."})
    return client.delete(note_url(existing))


@pytest.mark.parametrize("method", ["list", "create", "update", "delete"])
@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 403), ("owner", 403), ("outsider_admin", 403), (None, 401)]
)
def test_only_doctors_use_notes(
    request, api, anon, patient, existing_note, method, persona, status
):
    client = api(request.getfixturevalue(persona)) if persona else anon

    response = _call(client, method, patient, existing_note)

    assert_error(response, status)
    assert "Untouched." not in response.content.decode()
    assert list(DoctorNote.objects.values_list("content", flat=True)) == ["Untouched."]


# Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 60])
def test_note_list_query_count_does_not_grow_with_rows(
    api, doctor, patient, rows, django_assert_max_num_queries
):
    DoctorNoteFactory.create_batch(
        rows, doctor=doctor.doctor, patient=patient, appointment=visit(doctor, patient)
    )
    PatientFactory.create_batch(3, clinic=patient.clinic)
    client = api(doctor)

    with django_assert_max_num_queries(NOTE_LIST_QUERIES):
        response = client.get(patient_notes_url(patient), {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
