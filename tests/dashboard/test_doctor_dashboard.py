"""A doctor's dashboard: their own cards for a day (GET /api/dashboard/doctor/summary)
and today's visits with what to prepare (GET /api/dashboard/doctor/today)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.dashboard.helpers import DOCTOR_SUMMARY, DOCTOR_TODAY, STATUSES, set_intake_required
from tests.factories import AppointmentFactory, IntakeSubmissionFactory, PatientFactory
from tests.scheduling.helpers import MONDAY, TUESDAY, appointment, assert_error, assert_field_error

TODAY_ITEM_KEYS = {
    "appointment_id",
    "patient",
    "time",
    "end_time",
    "status",
    "intake_status",
    "intake_complete",
    "intake_summary_preview",
    "visit_type",
    "visit_reason",
    "meeting_link",
}
SUMMARY_KEYS = {
    "date",
    "my_appointments",
    "confirmed",
    "unconfirmed",
    "missing_intake",
    "arrived",
    "in_progress",
    "completed",
}

# Session auth (one join), one aggregate.
DOCTOR_SUMMARY_QUERIES = 2
# Session auth (one join), the visits with patient and latest summary joined in.
DOCTOR_TODAY_QUERIES = 2


@pytest.fixture
def mixed_monday(clinic, doctor, other_doctor, outsider_doctor, outsider_patient):
    """Dr. Chen's Monday in every status; Dr. Patel's, Tuesday's and another clinic's
    visits around it."""
    for n, status in enumerate(STATUSES):
        appointment(
            doctor,
            PatientFactory(clinic=clinic),
            day=MONDAY,
            at=f"{9 + n:02d}:00",
            status=status,
            intake_status=("not_sent", "sent")[n % 2],
        )
    appointment(other_doctor, PatientFactory(clinic=clinic), day=MONDAY, status="confirmed")
    appointment(doctor, PatientFactory(clinic=clinic), day=TUESDAY, status="confirmed")
    AppointmentFactory(
        doctor=outsider_doctor.doctor,
        patient=outsider_patient,
        scheduled_date=MONDAY,
        status="confirmed",
    )


# Summary ----------------------------------------------------------------------------------


def test_doctor_summary_counts_only_their_own_visits(api, doctor, mixed_monday):
    response = api(doctor).get(DOCTOR_SUMMARY, {"date": "2030-01-07"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "date": "2030-01-07",
        "my_appointments": 5,
        "confirmed": 1,
        "unconfirmed": 1,
        "missing_intake": 2,
        "arrived": 1,
        "in_progress": 1,
        "completed": 1,
    }


def test_other_doctors_summary_counts_their_own(api, other_doctor, mixed_monday):
    response = api(other_doctor).get(DOCTOR_SUMMARY, {"date": "2030-01-07"})

    assert response.json()["my_appointments"] == response.json()["confirmed"] == 1
    assert response.json()["missing_intake"] == 1


def test_doctor_summary_answers_without_a_trailing_slash(api, doctor, mixed_monday):
    response = api(doctor).get(DOCTOR_SUMMARY.rstrip("/"), {"date": "2030-01-07"})

    assert response.status_code == 200, response.content
    assert set(response.json()) == SUMMARY_KEYS


def test_doctor_missing_intake_is_zero_where_the_clinic_does_not_require_intake(
    api, doctor, clinic, mixed_monday
):
    set_intake_required(clinic, False)

    response = api(doctor).get(DOCTOR_SUMMARY, {"date": "2030-01-07"})

    assert response.json()["missing_intake"] == 0
    assert response.json()["my_appointments"] == 5


@pytest.mark.parametrize("value", ["2030-13-01", "monday"])
def test_bad_doctor_summary_date_gets_400(api, doctor, value):
    assert_field_error(api(doctor).get(DOCTOR_SUMMARY, {"date": value}), "date")


def test_outsider_doctor_counts_none_of_our_visits(api, outsider_doctor, mixed_monday):
    response = api(outsider_doctor).get(DOCTOR_SUMMARY, {"date": "2030-01-07"})

    assert response.status_code == 200, response.content
    assert response.json()["my_appointments"] == response.json()["confirmed"] == 1


@pytest.mark.parametrize(("persona", "status"), [("admin", 403), ("owner", 403), (None, 401)])
def test_doctor_summary_is_for_doctors_only(request, api, anon, mixed_monday, persona, status):
    client = api(request.getfixturevalue(persona)) if persona else anon

    assert_error(client.get(DOCTOR_SUMMARY, {"date": "2030-01-07"}), status)


# Today ------------------------------------------------------------------------------------

LONG_SUMMARY = "Patient reports a persistent dry cough for three weeks, worse at night. " * 4


@pytest.fixture
def chens_monday(freeze, clinic, doctor, other_doctor, patient, outsider_doctor, outsider_patient):
    """Monday 08:00 in New York, and Dr. Chen's visits with their intake."""
    freeze(MONDAY, "08:00")
    prepared = appointment(
        doctor,
        patient,
        day=MONDAY,
        at="09:00",
        status="confirmed",
        intake_status="completed",
        visit_reason="Persistent cough",
    )
    IntakeSubmissionFactory(
        appointment=prepared,
        ai_summary="An older summary that the newer one replaces.",
        submitted_at=datetime(2030, 1, 2, 12, 0, tzinfo=UTC),
    )
    IntakeSubmissionFactory(
        appointment=prepared,
        ai_summary=LONG_SUMMARY,
        submitted_at=datetime(2030, 1, 5, 12, 0, tzinfo=UTC),
    )
    virtual = appointment(
        doctor,
        PatientFactory(clinic=clinic, first_name="Bea", last_name="Jones", flags={}),
        day=MONDAY,
        at="10:00",
        duration=45,
        status="unconfirmed",
        intake_status="sent",
        visit_type="virtual",
        visit_reason="Blood test results",
        meeting_link="https://meet.example.org/chen-bea",
    )
    unsummarised = appointment(
        doctor, PatientFactory(clinic=clinic), day=MONDAY, at="11:00", status="arrived"
    )
    IntakeSubmissionFactory(appointment=unsummarised, ai_summary="")
    for at, status in (("12:00", "cancelled"), ("13:00", "no_show")):
        appointment(doctor, PatientFactory(clinic=clinic), day=MONDAY, at=at, status=status)
    appointment(other_doctor, patient, day=MONDAY, at="09:00", status="confirmed")
    appointment(doctor, patient, day=TUESDAY, at="09:00", status="confirmed")
    appointment(doctor, patient, day=MONDAY - timedelta(days=1), at="09:00", status="completed")
    AppointmentFactory(
        doctor=outsider_doctor.doctor, patient=outsider_patient, scheduled_date=MONDAY
    )
    return prepared, virtual, unsummarised


def test_doctor_today_lists_their_live_visits_of_today_in_time_order(api, doctor, chens_monday):
    prepared, virtual, unsummarised = chens_monday

    response = api(doctor).get(DOCTOR_TODAY)

    assert response.status_code == 200, response.content
    assert [item["appointment_id"] for item in response.json()] == [
        str(prepared.pk),
        str(virtual.pk),
        str(unsummarised.pk),
    ]
    assert [item["status"] for item in response.json()] == ["confirmed", "unconfirmed", "arrived"]


def test_doctor_today_items_carry_what_to_prepare(api, doctor, patient, chens_monday):
    prepared, virtual, _ = chens_monday

    first, second, third = api(doctor).get(DOCTOR_TODAY).json()

    assert set(first) == TODAY_ITEM_KEYS
    assert first == {
        "appointment_id": str(prepared.pk),
        "patient": {
            "id": str(patient.pk),
            "name": "Ann Smith",
            "date_of_birth": "1980-05-17",
            "flags": {"vip": True},
        },
        "time": "09:00",
        "end_time": "09:30",
        "status": "confirmed",
        "intake_status": "completed",
        "intake_complete": True,
        "intake_summary_preview": LONG_SUMMARY[:100],
        "visit_type": "in_clinic",
        "visit_reason": "Persistent cough",
        "meeting_link": "",
    }
    assert second == {
        "appointment_id": str(virtual.pk),
        "patient": {
            "id": str(virtual.patient_id),
            "name": "Bea Jones",
            "date_of_birth": "1980-05-17",
            "flags": {},
        },
        "time": "10:00",
        "end_time": "10:45",
        "status": "unconfirmed",
        "intake_status": "sent",
        "intake_complete": False,
        "intake_summary_preview": None,
        "visit_type": "virtual",
        "visit_reason": "Blood test results",
        "meeting_link": "https://meet.example.org/chen-bea",
    }
    assert third["intake_summary_preview"] is None


def test_a_short_intake_summary_is_previewed_whole(api, doctor, patient, freeze):
    freeze(MONDAY, "08:00")
    visit = appointment(doctor, patient, day=MONDAY, at="09:00", intake_status="completed")
    IntakeSubmissionFactory(appointment=visit, ai_summary="Mild headache.")

    response = api(doctor).get(DOCTOR_TODAY)

    assert response.json()[0]["intake_summary_preview"] == "Mild headache."


def test_a_doctor_with_a_free_day_gets_an_empty_list(api, other_doctor, doctor, patient, freeze):
    freeze(MONDAY, "08:00")
    appointment(doctor, patient, day=MONDAY, at="09:00")

    response = api(other_doctor).get(DOCTOR_TODAY)

    assert response.status_code == 200, response.content
    assert response.json() == []


def test_outsider_doctor_sees_none_of_our_visits_today(api, outsider_doctor, chens_monday):
    response = api(outsider_doctor).get(DOCTOR_TODAY)

    assert response.status_code == 200, response.content
    assert len(response.json()) == 1
    assert "Ann Smith" not in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("admin", 403), ("owner", 403), (None, 401)])
def test_doctor_today_is_for_doctors_only(request, api, anon, chens_monday, persona, status):
    client = api(request.getfixturevalue(persona)) if persona else anon

    response = client.get(DOCTOR_TODAY)

    assert_error(response, status)
    assert "Ann Smith" not in response.content.decode()


# Query counts -----------------------------------------------------------------------------


def _busy_monday(clinic, doctor, rows):
    for n in range(rows):
        visit = AppointmentFactory(
            doctor=doctor.doctor,
            patient=PatientFactory(clinic=clinic),
            scheduled_date=MONDAY,
            start_time=time(n // 4, (n % 4) * 15),
            duration=15,
            status=STATUSES[n % 5],
            intake_status="completed",
        )
        IntakeSubmissionFactory(appointment=visit, ai_summary=f"Summary {n}. " * 20)


@pytest.mark.parametrize("rows", [5, 60])
def test_doctor_summary_query_count_does_not_grow_with_rows(
    api, doctor, clinic, rows, django_assert_max_num_queries
):
    _busy_monday(clinic, doctor, rows)
    client = api(doctor)

    with django_assert_max_num_queries(DOCTOR_SUMMARY_QUERIES):
        response = client.get(DOCTOR_SUMMARY, {"date": "2030-01-07"})

    assert response.status_code == 200
    assert response.json()["my_appointments"] == rows


@pytest.mark.parametrize("rows", [5, 60])
def test_doctor_today_query_count_does_not_grow_with_rows(
    api, doctor, clinic, freeze, rows, django_assert_max_num_queries
):
    freeze(MONDAY, "00:00")
    _busy_monday(clinic, doctor, rows)
    client = api(doctor)

    with django_assert_max_num_queries(DOCTOR_TODAY_QUERIES):
        response = client.get(DOCTOR_TODAY)

    assert response.status_code == 200
    assert len(response.json()) == rows
    assert all(item["intake_summary_preview"] for item in response.json())
