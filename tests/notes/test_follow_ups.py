"""/api/follow-ups: doctors ask to see a patient again and manage their own requests;
the front desk sees the clinic's (pending by default) and marks them scheduled."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from notes.models import FollowUp
from tests.factories import AppointmentFactory, FollowUpFactory, PatientFactory
from tests.scheduling.helpers import MONDAY, TUESDAY, assert_error, assert_field_error

FOLLOW_UPS = "/api/follow-ups/"
FOLLOW_UP_KEYS = {
    "id",
    "patient_id",
    "patient",
    "doctor_id",
    "doctor",
    "appointment_id",
    "scheduled_date",
    "note",
    "status",
    "follow_up_appointment_id",
    "follow_up_appointment",
    "created_by_id",
    "created_at",
    "updated_at",
}
STATUSES = ("pending", "scheduled", "completed", "cancelled")
ALLOWED = {
    ("pending", "scheduled"),
    ("pending", "cancelled"),
    ("scheduled", "pending"),
    ("scheduled", "completed"),
    ("scheduled", "cancelled"),
}
FAR = date(2030, 3, 4)

# Session auth (one join), count, page (patient, doctor, booked appointment joined in).
FOLLOW_UP_LIST_QUERIES = 3


def url(follow_up) -> str:
    return f"{FOLLOW_UPS}{getattr(follow_up, 'pk', follow_up)}/"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def follow_up(doctor, patient, *, due=FAR, **kwargs) -> FollowUp:
    return FollowUpFactory(doctor=doctor.doctor, patient=patient, scheduled_date=due, **kwargs)


# Listing: admins --------------------------------------------------------------------------


@pytest.fixture
def clinic_follow_ups(doctor, other_doctor, patient, shared_patient, outsider_doctor):
    """One follow-up of each status (plus a second pending one) and one of another clinic."""
    outsider = follow_up(outsider_doctor, PatientFactory(clinic=outsider_doctor.clinic))
    return {
        "pending": follow_up(doctor, patient, due=date(2030, 2, 1)),
        "pending_patel": follow_up(other_doctor, shared_patient, due=date(2030, 1, 20)),
        "scheduled": follow_up(doctor, shared_patient, status="scheduled"),
        "completed": follow_up(doctor, patient, status="completed"),
        "cancelled": follow_up(other_doctor, shared_patient, status="cancelled"),
        "outsider": outsider,
    }


def test_admin_lists_the_clinics_pending_follow_ups_soonest_first(
    api, admin, doctor, patient, clinic_follow_ups
):
    response = api(admin).get(FOLLOW_UPS)

    assert ids(response) == [
        str(clinic_follow_ups["pending_patel"].pk),
        str(clinic_follow_ups["pending"].pk),
    ]
    body = response.json()
    assert body["count"] == 2
    row = body["results"][1]
    assert set(row) == FOLLOW_UP_KEYS
    assert row["status"] == "pending"
    assert row["scheduled_date"] == "2030-02-01"
    assert row["patient"] == {"id": str(patient.pk), "name": "Ann Smith"}
    assert row["doctor"]["id"] == row["doctor_id"] == str(doctor.doctor.pk)
    assert row["doctor"]["name"] == "Dr. Chen"
    assert row["follow_up_appointment"] is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("scheduled", ["scheduled"]),
        ("completed,cancelled", ["completed", "cancelled"]),
        ("pending,scheduled,completed,cancelled", [*STATUSES, "pending_patel"]),
    ],
)
def test_admin_filters_follow_ups_by_status(api, admin, clinic_follow_ups, status, expected):
    response = api(admin).get(FOLLOW_UPS, {"status": status})

    assert sorted(ids(response)) == sorted(str(clinic_follow_ups[k].pk) for k in expected)
    assert response.json()["count"] == len(expected)


def test_admin_filters_follow_ups_by_doctor_and_patient(
    api, admin, other_doctor, shared_patient, clinic_follow_ups
):
    client = api(admin)
    everything = ",".join(STATUSES)

    by_doctor = client.get(
        FOLLOW_UPS, {"doctor_id": str(other_doctor.doctor.pk), "status": everything}
    )
    by_patient = client.get(FOLLOW_UPS, {"patient_id": str(shared_patient.pk)})

    assert sorted(ids(by_doctor)) == sorted(
        str(clinic_follow_ups[k].pk) for k in ("pending_patel", "cancelled")
    )
    assert ids(by_patient) == [str(clinic_follow_ups["pending_patel"].pk)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"due_from": "2030-01-20"}, ["pending_patel", "pending"]),
        ({"due_from": "2030-01-21"}, ["pending"]),
        ({"due_to": "2030-01-20"}, ["pending_patel"]),
        ({"due_to": "2030-01-19"}, []),
        ({"due_from": "2030-01-21", "due_to": "2030-02-01"}, ["pending"]),
    ],
)
def test_admin_filters_follow_ups_by_due_date_inclusive(
    api, admin, clinic_follow_ups, params, expected
):
    response = api(admin).get(FOLLOW_UPS, params)

    assert ids(response) == [str(clinic_follow_ups[k].pk) for k in expected]


def test_filtering_by_another_clinics_doctor_finds_nothing(
    api, admin, outsider_doctor, clinic_follow_ups
):
    response = api(admin).get(
        FOLLOW_UPS, {"doctor_id": str(outsider_doctor.doctor.pk), "status": ",".join(STATUSES)}
    )

    assert ids(response) == []
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "done"}, "status"),
        ({"status": "pending,someday"}, "status"),
        ({"due_from": "2030-02-30"}, "due_from"),
        ({"due_to": "next week"}, "due_to"),
        ({"doctor_id": "dr-chen"}, "doctor_id"),
        ({"patient_id": "42"}, "patient_id"),
    ],
)
def test_bad_follow_up_filters_get_400_naming_the_field(api, admin, params, field):
    assert_field_error(api(admin).get(FOLLOW_UPS, params), field)


def test_outsider_admin_sees_only_their_own_clinics_follow_ups(
    api, outsider_admin, clinic_follow_ups
):
    response = api(outsider_admin).get(FOLLOW_UPS, {"status": ",".join(STATUSES)})

    assert ids(response) == [str(clinic_follow_ups["outsider"].pk)]


# Listing: doctors -------------------------------------------------------------------------


def test_doctor_lists_the_follow_ups_they_asked_for_in_every_status(api, doctor, clinic_follow_ups):
    response = api(doctor).get(FOLLOW_UPS)

    assert sorted(ids(response)) == sorted(
        str(clinic_follow_ups[k].pk) for k in ("pending", "scheduled", "completed")
    )


def test_doctor_cannot_widen_their_follow_up_list_with_doctor_id(
    api, doctor, other_doctor, clinic_follow_ups
):
    response = api(doctor).get(FOLLOW_UPS, {"doctor_id": str(other_doctor.doctor.pk)})

    assert str(clinic_follow_ups["pending_patel"].pk) not in ids(response)
    assert str(clinic_follow_ups["cancelled"].pk) not in ids(response)


def test_doctor_filters_their_follow_ups_by_status(api, doctor, clinic_follow_ups):
    response = api(doctor).get(FOLLOW_UPS, {"status": "completed"})

    assert ids(response) == [str(clinic_follow_ups["completed"].pk)]


@pytest.mark.parametrize(("persona", "status"), [("owner", 403), (None, 401)])
def test_follow_up_list_is_refused_to_owners_and_anonymous(
    request, api, anon, clinic_follow_ups, persona, status
):
    client = api(request.getfixturevalue(persona)) if persona else anon

    response = client.get(FOLLOW_UPS)

    assert_error(response, status)
    assert "Ann" not in response.content.decode()


# Creating ---------------------------------------------------------------------------------


def test_doctor_asks_for_a_follow_up(api, clinic, doctor, patient):
    source = AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=MONDAY)

    response = api(doctor).post(
        FOLLOW_UPS,
        {
            "patient_id": str(patient.pk),
            "appointment_id": str(source.pk),
            "scheduled_date": "2030-02-04",
            "note": "Recheck blood pressure.",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FOLLOW_UP_KEYS
    assert body["status"] == "pending"
    assert body["scheduled_date"] == "2030-02-04"
    assert body["note"] == "Recheck blood pressure."
    assert body["appointment_id"] == str(source.pk)
    assert body["doctor_id"] == str(doctor.doctor.pk)
    assert body["created_by_id"] == str(doctor.pk)
    assert body["patient"] == {"id": str(patient.pk), "name": "Ann Smith"}
    assert body["follow_up_appointment_id"] is None
    assert FollowUp.objects.get(pk=body["id"]).clinic_id == clinic.pk


def test_follow_up_owner_clinic_and_status_come_from_the_caller(
    api, clinic, other_clinic, doctor, other_doctor, patient
):
    response = api(doctor).post(
        FOLLOW_UPS,
        {
            "patient_id": str(patient.pk),
            "scheduled_date": "2030-02-04",
            "doctor_id": str(other_doctor.doctor.pk),
            "clinic_id": str(other_clinic.pk),
            "status": "completed",
        },
    )

    assert response.status_code == 201, response.content
    saved = FollowUp.objects.get(pk=response.json()["id"])
    assert (saved.doctor_id, saved.clinic_id, saved.status) == (
        doctor.doctor.pk,
        clinic.pk,
        "pending",
    )


def test_a_follow_up_may_be_due_today_in_clinic_time(api, doctor, patient, freeze):
    """02:30 UTC on Tuesday is still Monday evening in New York."""
    freeze(datetime(2030, 1, 8, 2, 30, tzinfo=UTC))
    client = api(doctor)

    today = client.post(FOLLOW_UPS, {"patient_id": str(patient.pk), "scheduled_date": "2030-01-07"})
    yesterday = client.post(
        FOLLOW_UPS, {"patient_id": str(patient.pk), "scheduled_date": "2030-01-06"}
    )

    assert today.status_code == 201, today.content
    assert today.json()["scheduled_date"] == "2030-01-07"
    assert_field_error(yesterday, "scheduled_date")
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize("which", ["stranger", "outsider_patient", "unknown", "missing"])
def test_follow_up_for_a_patient_who_is_not_the_doctors_gets_400(request, api, doctor, which):
    body = {"scheduled_date": "2030-02-04"}
    if which == "unknown":
        body["patient_id"] = str(uuid.uuid4())
    elif which != "missing":
        body["patient_id"] = str(request.getfixturevalue(which).pk)

    response = api(doctor).post(FOLLOW_UPS, body)

    assert_field_error(response, "patient_id")
    assert FollowUp.objects.count() == 0


def test_follow_up_from_another_doctors_visit_gets_400(api, doctor, other_doctor, shared_patient):
    theirs = AppointmentFactory(
        doctor=other_doctor.doctor, patient=shared_patient, scheduled_date=MONDAY
    )

    response = api(doctor).post(
        FOLLOW_UPS,
        {
            "patient_id": str(shared_patient.pk),
            "appointment_id": str(theirs.pk),
            "scheduled_date": "2030-02-04",
        },
    )

    assert_field_error(response, "appointment_id")
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "scheduled_date"),
        ({"scheduled_date": "04/02/2030"}, "scheduled_date"),
        ({"scheduled_date": "2020-01-01"}, "scheduled_date"),
        ({"scheduled_date": "2030-02-04", "note": "n" * 2001}, "note"),
    ],
)
def test_invalid_follow_up_gets_400_naming_the_field(api, doctor, patient, body, field):
    response = api(doctor).post(FOLLOW_UPS, {"patient_id": str(patient.pk), **body})

    assert_field_error(response, field)
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 403), ("owner", 403), ("outsider_admin", 403), (None, 401)]
)
def test_only_doctors_ask_for_follow_ups(request, api, anon, patient, persona, status):
    client = api(request.getfixturevalue(persona)) if persona else anon

    response = client.post(
        FOLLOW_UPS, {"patient_id": str(patient.pk), "scheduled_date": "2030-02-04"}
    )

    assert_error(response, status)
    assert FollowUp.objects.count() == 0


# Updating: doctors ------------------------------------------------------------------------


def test_doctor_moves_and_annotates_their_follow_up(api, doctor, patient):
    mine = follow_up(doctor, patient, note="Before.")
    client = api(doctor)

    moved = client.put(url(mine), {"scheduled_date": "2030-04-01"})
    noted = client.put(url(mine), {"note": "After."})

    assert moved.status_code == 200, moved.content
    assert moved.json()["scheduled_date"] == "2030-04-01"
    assert moved.json()["note"] == "Before."
    assert noted.status_code == 200, noted.content
    assert noted.json()["scheduled_date"] == "2030-04-01"
    assert noted.json()["note"] == "After."
    mine.refresh_from_db()
    assert (mine.scheduled_date, mine.note, mine.status) == (date(2030, 4, 1), "After.", "pending")


def test_doctor_cannot_move_a_follow_up_into_the_past(api, doctor, patient, freeze):
    freeze(MONDAY, "12:00")
    mine = follow_up(doctor, patient)
    client = api(doctor)

    past = client.put(url(mine), {"scheduled_date": (MONDAY - timedelta(days=1)).isoformat()})
    today = client.put(url(mine), {"scheduled_date": MONDAY.isoformat()})

    assert_field_error(past, "scheduled_date")
    assert today.status_code == 200, today.content
    mine.refresh_from_db()
    assert mine.scheduled_date == MONDAY


@pytest.mark.parametrize(
    ("source", "target"), [(s, t) for s in STATUSES for t in STATUSES if s != t]
)
def test_follow_up_status_machine(api, doctor, patient, source, target):
    mine = follow_up(doctor, patient, status=source)

    response = api(doctor).put(url(mine), {"status": target})

    mine.refresh_from_db()
    if (source, target) in ALLOWED:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == target
        assert mine.status == target
    else:
        assert_error(response, 409, "invalid_transition")
        assert mine.status == source


def test_unknown_follow_up_status_gets_400(api, doctor, patient):
    mine = follow_up(doctor, patient)

    assert_field_error(api(doctor).put(url(mine), {"status": "done"}), "status")
    mine.refresh_from_db()
    assert mine.status == "pending"


def test_another_doctor_gets_404_updating_a_follow_up_of_a_shared_patient(
    api, doctor, other_doctor, shared_patient
):
    mine = follow_up(doctor, shared_patient, note="Mine.")

    response = api(other_doctor).put(url(mine), {"note": "Theirs.", "status": "cancelled"})

    assert_error(response, 404, "not_found")
    mine.refresh_from_db()
    assert (mine.note, mine.status) == ("Mine.", "pending")


def test_outsider_gets_404_updating_our_follow_up(
    api, doctor, patient, outsider_doctor, outsider_admin
):
    mine = follow_up(doctor, patient, note="Mine.")

    as_doctor = api(outsider_doctor).put(url(mine), {"note": "Theirs."})
    as_admin = api(outsider_admin).put(url(mine), {"status": "scheduled"})

    assert_error(as_doctor, 404, "not_found")
    assert_error(as_admin, 404, "not_found")
    mine.refresh_from_db()
    assert (mine.note, mine.status) == ("Mine.", "pending")


@pytest.mark.parametrize(("persona", "status"), [("owner", 403), (None, 401)])
def test_owners_and_anonymous_cannot_update_follow_ups(
    request, api, anon, doctor, patient, persona, status
):
    mine = follow_up(doctor, patient)
    client = api(request.getfixturevalue(persona)) if persona else anon

    assert_error(client.put(url(mine), {"status": "scheduled"}), status)
    mine.refresh_from_db()
    assert mine.status == "pending"


# Updating: admins -------------------------------------------------------------------------


def test_admin_marks_a_follow_up_scheduled(api, admin, doctor, patient):
    mine = follow_up(doctor, patient)

    response = api(admin).put(url(mine), {"status": "scheduled"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"
    mine.refresh_from_db()
    assert mine.status == "scheduled"


def test_admin_marks_a_follow_up_scheduled_with_the_appointment_that_fulfils_it(
    api, admin, doctor, patient
):
    mine = follow_up(doctor, patient)
    booked = AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=TUESDAY)

    response = api(admin).put(
        url(mine), {"status": "scheduled", "follow_up_appointment_id": str(booked.pk)}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["follow_up_appointment_id"] == str(booked.pk)
    assert body["follow_up_appointment"] == {
        "id": str(booked.pk),
        "date": "2030-01-08",
        "time": "10:00",
        "status": "unconfirmed",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"note": "Front desk note."},
        {"scheduled_date": "2030-05-01"},
        {"status": "completed"},
        {"status": "cancelled"},
        {"status": "pending"},
        {"status": "scheduled", "note": "Front desk note."},
        {"status": "scheduled", "scheduled_date": "2030-05-01"},
    ],
)
def test_admin_may_only_mark_a_follow_up_scheduled(api, admin, doctor, patient, body):
    mine = follow_up(doctor, patient, note="Doctor's note.")

    response = api(admin).put(url(mine), body)

    assert response.status_code == 400, response.content
    mine.refresh_from_db()
    assert (mine.status, mine.note, mine.scheduled_date) == ("pending", "Doctor's note.", FAR)


def test_admin_cannot_link_an_appointment_without_scheduling_the_follow_up(
    api, admin, doctor, patient
):
    """Only ``{"status": "scheduled"}`` (optionally with the appointment) is the admin's;
    a bare link would leave a pending follow-up that looks booked."""
    mine = follow_up(doctor, patient)
    booked = AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=TUESDAY)

    response = api(admin).put(url(mine), {"follow_up_appointment_id": str(booked.pk)})

    assert response.status_code == 400, response.content
    mine.refresh_from_db()
    assert (mine.status, mine.follow_up_appointment_id) == ("pending", None)


def test_admin_links_only_an_appointment_of_the_same_patient(
    api, admin, doctor, patient, shared_patient, outsider_doctor
):
    mine = follow_up(doctor, patient)
    someone_elses = AppointmentFactory(
        doctor=doctor.doctor, patient=shared_patient, scheduled_date=TUESDAY
    )
    other_clinics = AppointmentFactory(doctor=outsider_doctor.doctor, scheduled_date=TUESDAY)
    client = api(admin)

    for appointment in (someone_elses, other_clinics):
        response = client.put(
            url(mine), {"status": "scheduled", "follow_up_appointment_id": str(appointment.pk)}
        )
        assert_field_error(response, "follow_up_appointment_id")
    mine.refresh_from_db()
    assert (mine.status, mine.follow_up_appointment_id) == ("pending", None)


@pytest.mark.parametrize("source", ["completed", "cancelled"])
def test_admin_cannot_schedule_a_finished_follow_up(api, admin, doctor, patient, source):
    mine = follow_up(doctor, patient, status=source)

    assert_error(api(admin).put(url(mine), {"status": "scheduled"}), 409, "invalid_transition")
    mine.refresh_from_db()
    assert mine.status == source


# Cancelling -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["pending", "scheduled"])
def test_doctor_cancels_their_follow_up_and_the_row_stays(api, admin, doctor, patient, source):
    mine = follow_up(doctor, patient, status=source)
    client = api(doctor)

    response = client.delete(url(mine))

    assert response.status_code == 204
    assert response.content == b""
    mine.refresh_from_db()
    assert mine.status == "cancelled"
    listed = client.get(FOLLOW_UPS, {"status": "cancelled"})
    assert ids(listed) == [str(mine.pk)]
    assert ids(api(admin).get(FOLLOW_UPS)) == []


def test_a_completed_follow_up_cannot_be_cancelled(api, doctor, patient):
    mine = follow_up(doctor, patient, status="completed")

    assert_error(api(doctor).delete(url(mine)), 409, "invalid_transition")
    mine.refresh_from_db()
    assert mine.status == "completed"


def test_another_doctor_gets_404_cancelling_a_follow_up_of_a_shared_patient(
    api, doctor, other_doctor, shared_patient, outsider_doctor
):
    mine = follow_up(doctor, shared_patient)

    assert_error(api(other_doctor).delete(url(mine)), 404, "not_found")
    assert_error(api(outsider_doctor).delete(url(mine)), 404, "not_found")
    mine.refresh_from_db()
    assert mine.status == "pending"


@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 403), ("owner", 403), ("outsider_admin", 403), (None, 401)]
)
def test_only_doctors_cancel_follow_ups(request, api, anon, doctor, patient, persona, status):
    mine = follow_up(doctor, patient)
    client = api(request.getfixturevalue(persona)) if persona else anon

    assert_error(client.delete(url(mine)), status)
    mine.refresh_from_db()
    assert mine.status == "pending"


# Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 60])
@pytest.mark.parametrize("persona", ["admin", "doctor"])
def test_follow_up_list_query_count_does_not_grow_with_rows(
    request, api, doctor, patient, persona, rows, django_assert_max_num_queries
):
    for n in range(rows):
        status = ("pending", "scheduled")[n % 2]
        booked = AppointmentFactory(
            doctor=doctor.doctor,
            patient=patient,
            scheduled_date=MONDAY + timedelta(days=n),
        )
        follow_up(
            doctor,
            patient,
            status=status,
            follow_up_appointment=booked if status == "scheduled" else None,
        )
    client = api(request.getfixturevalue(persona))

    with django_assert_max_num_queries(FOLLOW_UP_LIST_QUERIES):
        response = client.get(FOLLOW_UPS, {"status": "pending,scheduled", "page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
