"""Reading appointments: the list, one appointment, its drawer (/detail) and a doctor's
preparation view; and who may call each appointment endpoint."""

import uuid

import pytest

from tests.factories import (
    CancellationFactory,
    DoctorFactory,
    IntakeSubmissionFactory,
    PatientFactory,
)
from tests.scheduling.helpers import (
    APPOINTMENTS,
    FRIDAY,
    MONDAY,
    TUESDAY,
    appointment,
    appointment_url,
    assert_error,
    assert_field_error,
)

WEDNESDAY = MONDAY.replace(day=9)


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def chens(doctor, patient):
    """Ann Smith with Dr. Chen on Monday 10:00."""
    return appointment(doctor, patient, day=MONDAY, at="10:00")


@pytest.fixture
def patels(other_doctor, other_patient):
    """Bea Jones with Dr. Patel on Monday 11:00."""
    return appointment(other_doctor, other_patient, day=MONDAY, at="11:00")


@pytest.fixture
def uptown(outsider_doctor, outsider_patient):
    return appointment(outsider_doctor, outsider_patient, day=MONDAY, at="10:00")


# Who may call what ---------------------------------------------------------------------------

READS = [
    ("get", None, "list"),
    ("get", "", "retrieve"),
    ("get", "detail", "detail"),
]
WRITES = [
    ("put", "", {"visit_reason": "x"}),
    ("post", "confirm", {}),
    ("post", "arrived", {}),
    ("post", "reschedule", {"new_date": "2030-01-08", "new_time": "09:00"}),
    ("post", "cancel", {"reason": "clinic_cancelled"}),
    ("post", "intake-complete", {}),
]


def call(client, method, appt, action, body=None):
    url = APPOINTMENTS if action is None else appointment_url(appt, action or None)
    return getattr(client, method)(url, body or {}) if method != "get" else client.get(url)


@pytest.mark.parametrize(("method", "action", "body"), WRITES)
@pytest.mark.parametrize("role", ["doctor", "owner"])
def test_only_admins_change_appointments(api, request, chens, role, method, action, body):
    response = call(api(request.getfixturevalue(role)), method, chens, action, body)

    assert_error(response, 403, "forbidden_role")


@pytest.mark.parametrize(("method", "action", "body"), WRITES)
def test_outsider_gets_404_changing_our_appointment(
    api, outsider_admin, chens, method, action, body
):
    response = call(api(outsider_admin), method, chens, action, body)

    assert_error(response, 404)
    chens.refresh_from_db()
    assert chens.status == "unconfirmed"


@pytest.mark.parametrize(("method", "action", "body"), WRITES)
def test_anonymous_gets_401_changing_an_appointment(anon, chens, method, action, body):
    assert_error(call(anon, method, chens, action, body), 401, "not_authenticated")


@pytest.mark.parametrize(("method", "action", "body"), WRITES)
def test_changing_an_unknown_appointment_is_404(api, admin, method, action, body):
    assert_error(call(api(admin), method, uuid.uuid4(), action, body), 404)


@pytest.mark.parametrize(("method", "action", "label"), [*READS, ("get", "preparation", "prep")])
def test_owner_gets_403_reading_appointments(api, owner, chens, method, action, label):
    assert_error(call(api(owner), method, chens, action), 403, "forbidden_role")


@pytest.mark.parametrize(("method", "action", "label"), [*READS, ("get", "preparation", "prep")])
def test_anonymous_gets_401_reading_appointments(anon, chens, method, action, label):
    assert_error(call(anon, method, chens, action), 401, "not_authenticated")


@pytest.mark.parametrize("action", ["", "detail"])
def test_outsider_gets_404_reading_our_appointment(api, outsider_admin, chens, action):
    response = api(outsider_admin).get(appointment_url(chens, action or None))

    assert_error(response, 404)
    assert "Smith" not in response.content.decode()


@pytest.mark.parametrize("action", ["", "detail", "preparation"])
def test_doctor_cannot_see_other_doctors_appointment(api, doctor, patels, action):
    response = api(doctor).get(appointment_url(patels, action or None))

    assert_error(response, 404)
    assert "Jones" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/appointments",
        "/api/appointments/{id}",
        "/api/appointments/{id}/detail",
        "/api/appointments/{id}/detail/",
    ],
)
def test_appointment_reads_answer_with_and_without_a_trailing_slash(api, admin, chens, path):
    assert api(admin).get(path.format(id=chens.id)).status_code == 200


@pytest.mark.parametrize("path", ["/api/appointments/{id}/confirm", "/api/appointments/{id}"])
def test_appointment_writes_answer_without_a_trailing_slash(api, admin, chens, path):
    client = api(admin)
    url = path.format(id=chens.id)
    response = (
        client.post(url) if url.endswith("confirm") else client.put(url, {"visit_reason": "x"})
    )

    assert response.status_code == 200, response.content


def test_a_malformed_appointment_id_is_404(api, admin):
    assert api(admin).get("/api/appointments/not-a-uuid/").status_code == 404


# List ----------------------------------------------------------------------------------------


def test_admin_lists_every_appointment_of_the_clinic(api, admin, chens, patels, uptown):
    response = api(admin).get(APPOINTMENTS)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert ids(response) == [str(chens.id), str(patels.id)]


def test_doctor_lists_only_their_own_appointments(api, doctor, chens, patels, uptown):
    response = api(doctor).get(APPOINTMENTS)

    assert response.status_code == 200, response.content
    assert ids(response) == [str(chens.id)]


def test_a_doctor_cannot_list_another_doctors_appointments_by_id(
    api, doctor, other_doctor, chens, patels
):
    response = api(doctor).get(APPOINTMENTS, {"doctor_id": str(other_doctor.doctor.id)})

    assert response.status_code == 200, response.content
    assert ids(response) == [str(chens.id)]


def test_outsider_lists_none_of_our_appointments(api, outsider_admin, chens, uptown):
    assert ids(api(outsider_admin).get(APPOINTMENTS)) == [str(uptown.id)]


def test_list_is_ordered_by_date_then_time(api, admin, doctor, other_doctor, patient):
    late = appointment(doctor, patient, day=TUESDAY, at="09:00")
    early = appointment(other_doctor, patient, day=MONDAY, at="15:00")
    earliest = appointment(doctor, patient, day=MONDAY, at="09:00")

    assert ids(api(admin).get(APPOINTMENTS)) == [str(earliest.id), str(early.id), str(late.id)]


@pytest.fixture
def week(doctor, other_doctor, patient, other_patient):
    return {
        "fri": appointment(doctor, patient, day=FRIDAY, at="09:00", status="completed"),
        "mon": appointment(doctor, other_patient, day=MONDAY, at="09:00", status="confirmed"),
        "mon_patel": appointment(other_doctor, patient, day=MONDAY, at="10:00"),
        "tue": appointment(doctor, patient, day=TUESDAY, at="09:00", status="cancelled"),
        "wed": appointment(other_doctor, other_patient, day=WEDNESDAY, at="09:00"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date": "2030-01-07"}, ["mon", "mon_patel"]),
        ({"from": "2030-01-07"}, ["mon", "mon_patel", "tue", "wed"]),
        ({"to": "2030-01-07"}, ["fri", "mon", "mon_patel"]),
        ({"from": "2030-01-07", "to": "2030-01-08"}, ["mon", "mon_patel", "tue"]),
        ({"status": "unconfirmed"}, ["mon_patel", "wed"]),
        ({"status": "completed,cancelled"}, ["fri", "tue"]),
        ({"status": "confirmed, unconfirmed"}, ["mon", "mon_patel", "wed"]),
        ({"date": "2030-01-07", "status": "confirmed"}, ["mon"]),
    ],
)
def test_admin_filters_the_list(api, admin, week, params, expected):
    response = api(admin).get(APPOINTMENTS, params)

    assert response.status_code == 200, response.content
    assert ids(response) == [str(week[key].id) for key in expected]


def test_repeated_status_params_filter_like_comma_list(api, admin, week):
    repeated = api(admin).get(f"{APPOINTMENTS}?status=completed&status=cancelled")
    listed = api(admin).get(APPOINTMENTS, {"status": "completed,cancelled"})

    assert repeated.status_code == 200, repeated.content
    assert ids(repeated) == ids(listed) == [str(week[k].id) for k in ("fri", "tue")]


@pytest.mark.parametrize("query", ["date=2030-01-07&date=2030-01-08", "date=", "status="])
def test_repeated_or_empty_single_value_params_are_400(api, admin, week, query):
    """``?date=`` is not "today" and two dates are not one: both are refused."""
    response = api(admin).get(f"{APPOINTMENTS}?{query}")

    assert_field_error(response, query.split("=")[0])


def test_admin_filters_by_doctor(api, admin, other_doctor, week):
    response = api(admin).get(APPOINTMENTS, {"doctor_id": str(other_doctor.doctor.id)})

    assert ids(response) == [str(week["mon_patel"].id), str(week["wed"].id)]


def test_admin_filters_by_patient(api, admin, patient, week):
    response = api(admin).get(APPOINTMENTS, {"patient_id": str(patient.id)})

    assert ids(response) == [str(week[k].id) for k in ("fri", "mon_patel", "tue")]


def test_doctor_filters_within_their_own(api, doctor, patient, week):
    response = api(doctor).get(APPOINTMENTS, {"patient_id": str(patient.id)})

    assert ids(response) == [str(week[k].id) for k in ("fri", "tue")]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2030-02-30"}, "date"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2030/01/08"}, "to"),
        ({"from": "2030-01-08", "to": "2030-01-07"}, "to"),
        ({"status": "done"}, "status"),
        ({"status": "confirmed,maybe"}, "status"),
        ({"doctor_id": "abc"}, "doctor_id"),
        ({"patient_id": "12"}, "patient_id"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_list_query_is_a_400_naming_the_parameter(api, admin, chens, params, field):
    assert_field_error(api(admin).get(APPOINTMENTS, params), field)


def test_the_list_is_paginated(api, admin, doctor, patient):
    for hour in range(9, 14):
        appointment(doctor, patient, day=MONDAY, at=f"{hour:02d}:00")

    first = api(admin).get(APPOINTMENTS, {"page_size": 2})
    last = api(admin).get(APPOINTMENTS, {"page_size": 2, "page": 3})

    assert first.json()["count"] == 5
    assert len(first.json()["results"]) == 2
    assert "page=2" in first.json()["next"]
    assert first.json()["previous"] is None
    assert len(last.json()["results"]) == 1
    assert last.json()["next"] is None


def test_a_page_past_the_end_is_404(api, admin, chens):
    assert_error(api(admin).get(APPOINTMENTS, {"page": 9}), 404)


# One appointment ----------------------------------------------------------------------------


def test_admin_reads_an_appointment(api, admin, doctor, patient, chens):
    response = api(admin).get(appointment_url(chens))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(chens.id)
    assert body["doctor_id"] == str(doctor.doctor.id)
    assert body["patient"] == {"id": str(patient.id), "name": "Ann Smith"}
    assert (body["scheduled_date"], body["start_time"], body["end_time"]) == (
        "2030-01-07",
        "10:00",
        "10:30",
    )


def test_doctor_reads_their_own_appointment(api, doctor, chens):
    response = api(doctor).get(appointment_url(chens))

    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(chens.id)


# The drawer: /detail ---------------------------------------------------------------------------

DETAIL_KEYS = {"appointment", "patient", "doctor", "intake", "history"}
COUGH_SOURCE = {
    "bullet": "Chief complaint: Cough for two weeks",
    "topic": "chief_complaint",
    "field_keys": ["reason"],
    "flagged": False,
}


@pytest.fixture
def shared_patient(clinic, doctor, other_doctor, patient):
    """Ann Smith: seen by Dr. Chen on Friday, by Dr. Patel on Friday and Tuesday
    (cancelled), a no-show with Dr. Chen, and booked with Dr. Chen on Wednesday."""
    past_chen = appointment(doctor, patient, day=FRIDAY, at="09:00", status="completed")
    past_patel = appointment(other_doctor, patient, day=FRIDAY, at="11:00", status="completed")
    CancellationFactory(
        appointment=appointment(other_doctor, patient, day=MONDAY, at="09:00", status="cancelled")
    )
    CancellationFactory(
        appointment=appointment(doctor, patient, day=MONDAY, at="11:00", status="no_show"),
        cancellation_type="no_show",
    )
    upcoming = appointment(doctor, patient, day=WEDNESDAY, at="10:00")
    return {"past_chen": past_chen, "past_patel": past_patel, "upcoming": upcoming}


def test_admin_reads_the_appointment_drawer(api, admin, doctor, patient, shared_patient):
    upcoming = shared_patient["upcoming"]
    IntakeSubmissionFactory(
        appointment=upcoming,
        ai_summary="• Chief complaint: Cough for two weeks",
        ai_summary_status="ready",
        ai_summary_sources=[COUGH_SOURCE],
        ai_summary_needs_review=True,
    )

    response = api(admin).get(appointment_url(upcoming, "detail"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert body["appointment"]["id"] == str(upcoming.id)
    assert body["patient"]["id"] == str(patient.id)
    assert body["patient"]["name"] == "Ann Smith"
    assert set(body["patient"]) == {
        "id",
        "name",
        "email",
        "phone",
        "date_of_birth",
        "flags",
        "contact_preferences",
    }
    assert body["doctor"] == {
        "id": str(doctor.doctor.id),
        "name": "Dr. Chen",
        "specialty": "Family Medicine",
    }
    assert body["intake"]["ai_summary"] == "• Chief complaint: Cough for two weeks"
    assert body["intake"]["ai_summary_status"] == "ready"
    assert body["intake"]["ai_summary_sources"] == [COUGH_SOURCE]
    assert body["intake"]["ai_summary_needs_review"] is True
    visits = body["history"]["previous_visits"]
    # Newest first: every earlier visit of the patient, any doctor.
    assert [v["date"] for v in visits] == ["2030-01-07", "2030-01-07", "2030-01-04", "2030-01-04"]
    assert body["history"]["cancellation_count"] == 1
    assert body["history"]["no_show_count"] == 1


def test_the_drawer_without_intake_says_so(api, admin, chens):
    body = api(admin).get(appointment_url(chens, "detail")).json()

    assert body["intake"] == {
        "status": "not_sent",
        "submission_id": None,
        "ai_summary": None,
        "ai_summary_status": None,
        "ai_summary_sources": None,
        "ai_summary_needs_review": None,
    }
    assert body["history"] == {"previous_visits": [], "cancellation_count": 0, "no_show_count": 0}


def test_a_doctors_drawer_shows_only_their_own_history_with_the_patient(
    api, doctor, other_doctor, shared_patient
):
    response = api(doctor).get(appointment_url(shared_patient["upcoming"], "detail"))

    assert response.status_code == 200, response.content
    history = response.json()["history"]
    assert {v["doctor"]["id"] for v in history["previous_visits"]} == {str(doctor.doctor.id)}
    assert [v["id"] for v in history["previous_visits"]][-1] == str(shared_patient["past_chen"].id)
    assert str(shared_patient["past_patel"].id) not in response.content.decode()
    assert history["cancellation_count"] == 0
    assert history["no_show_count"] == 1


def test_the_drawer_history_never_crosses_clinics(api, admin, clinic, chens, outsider_doctor):
    # A patient id from another clinic cannot be attached here; the history stays ours.
    body = api(admin).get(appointment_url(chens, "detail")).json()

    assert body["history"]["previous_visits"] == []


# A doctor's preparation view --------------------------------------------------------------------


def test_doctor_prepares_for_their_visit(api, doctor, patient, shared_patient):
    upcoming = shared_patient["upcoming"]
    IntakeSubmissionFactory(
        appointment=upcoming,
        ai_summary="• Chief complaint: Cough for two weeks",
        ai_summary_status="ready",
        ai_summary_sources=[COUGH_SOURCE],
    )

    response = api(doctor).get(appointment_url(upcoming, "preparation"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "patient",
        "appointment",
        "intake_summary",
        "intake_summary_status",
        "intake_summary_sources",
        "intake_summary_needs_review",
        "intake_complete",
        "previous_visits",
    }
    assert body["patient"] == {
        "id": str(patient.id),
        "name": "Ann Smith",
        "date_of_birth": "1980-05-17",
        "flags": {},
    }
    assert body["appointment"]["id"] == str(upcoming.id)
    assert (body["appointment"]["time"], body["appointment"]["end_time"]) == ("10:00", "10:30")
    assert body["intake_summary"] == "• Chief complaint: Cough for two weeks"
    assert body["intake_summary_sources"] == [COUGH_SOURCE]
    assert body["intake_summary_needs_review"] is False
    assert {v["doctor"]["id"] for v in body["previous_visits"]} == {str(doctor.doctor.id)}
    assert "email" not in body["patient"]


def test_admin_gets_403_on_preparation(api, admin, chens):
    assert_error(api(admin).get(appointment_url(chens, "preparation")), 403, "forbidden_role")


# Query counts: constant, whatever the number of doctors and appointments ------------------------


def populate(clinic, doctors: int, per_doctor: int):
    """``doctors`` doctors, each with ``per_doctor`` Monday appointments (own patients)."""
    made = []
    for _ in range(doctors):
        doc = DoctorFactory(clinic=clinic)
        for i in range(per_doctor):
            hour, minute = divmod(9 * 60 + 15 * i, 60)
            made.append(
                appointment(
                    doc,
                    PatientFactory(clinic=clinic),
                    day=MONDAY,
                    at=f"{hour:02d}:{minute:02d}",
                    duration=15,
                )
            )
    return made


SIZES = pytest.mark.parametrize(("doctors", "per_doctor"), [(2, 3), (6, 20)])
LIST_QUERIES = 3  # session, count, page
DETAIL_QUERIES = 5  # session, appointment, intake submission, previous visits, counts


@SIZES
def test_appointment_list_queries_do_not_grow(
    api, admin, clinic, django_assert_max_num_queries, doctors, per_doctor
):
    populate(clinic, doctors, per_doctor)
    client = api(admin)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(APPOINTMENTS, {"page_size": 100})

    assert response.json()["count"] == doctors * per_doctor


@SIZES
def test_appointment_detail_queries_do_not_grow(
    api, admin, clinic, django_assert_max_num_queries, doctors, per_doctor
):
    made = populate(clinic, doctors, per_doctor)
    target = appointment(made[0].doctor, made[0].patient, day=TUESDAY, at="09:00")
    for earlier in made:
        earlier.patient = target.patient
        earlier.save()
    client = api(admin)

    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(appointment_url(target, "detail"))

    assert response.status_code == 200, response.content
    assert len(response.json()["history"]["previous_visits"]) == min(10, len(made))


PREPARATION_QUERIES = 4  # session, appointment, intake submission, previous visits


@pytest.mark.parametrize("earlier", [1, 12])
def test_preparation_queries_do_not_grow(
    api, doctor, patient, django_assert_max_num_queries, earlier
):
    target = appointment(doctor, patient, day=WEDNESDAY, at="10:00")
    for i in range(earlier):
        appointment(doctor, patient, day=MONDAY, at=f"{8 + i % 9:02d}:{30 * (i // 9):02d}")
    IntakeSubmissionFactory(appointment=target, ai_summary="• Chief complaint: Cough")
    client = api(doctor)

    with django_assert_max_num_queries(PREPARATION_QUERIES):
        response = client.get(appointment_url(target, "preparation"))

    assert response.status_code == 200, response.content
    assert len(response.json()["previous_visits"]) == min(10, earlier)
