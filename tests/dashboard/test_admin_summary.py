"""GET /api/dashboard/admin/summary: the front desk's hero cards for a day."""

from datetime import time

import pytest

from tests.dashboard.helpers import ADMIN_SUMMARY, STATUSES, set_intake_required
from tests.factories import AppointmentFactory, PatientFactory
from tests.scheduling.helpers import MONDAY, TUESDAY, appointment, assert_error, assert_field_error

SUMMARY_KEYS = {
    "date",
    "total_appointments",
    "confirmed",
    "unconfirmed",
    "missing_intake",
    "arrived",
    "in_progress",
    "completed",
    "cancelled_today",
    "no_shows_today",
}

# Session auth (one join), one aggregate.
SUMMARY_QUERIES = 2


@pytest.fixture
def one_of_each(clinic, doctor, other_doctor, outsider_doctor, outsider_patient):
    """Monday: one appointment in every status (intake not sent), split over two
    doctors, plus Tuesday's and another clinic's Monday visits."""
    for n, status in enumerate(STATUSES):
        appointment(
            (doctor, other_doctor)[n % 2],
            PatientFactory(clinic=clinic),
            day=MONDAY,
            at=f"{9 + n:02d}:00",
            status=status,
            intake_status="not_sent",
        )
    appointment(doctor, PatientFactory(clinic=clinic), day=TUESDAY, status="confirmed")
    for at in ("09:00", "10:00", "11:00"):
        AppointmentFactory(
            doctor=outsider_doctor.doctor,
            patient=outsider_patient,
            scheduled_date=MONDAY,
            start_time=time.fromisoformat(at),
            status="confirmed",
        )


def test_admin_summary_counts_each_status_of_the_day(api, admin, one_of_each):
    response = api(admin).get(ADMIN_SUMMARY, {"date": "2030-01-07"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "date": "2030-01-07",
        "total_appointments": 5,
        "confirmed": 1,
        "unconfirmed": 1,
        "missing_intake": 2,
        "arrived": 1,
        "in_progress": 1,
        "completed": 1,
        "cancelled_today": 1,
        "no_shows_today": 1,
    }


def test_admin_summary_answers_without_a_trailing_slash(api, admin, one_of_each):
    response = api(admin).get(ADMIN_SUMMARY.rstrip("/"), {"date": "2030-01-07"})

    assert response.status_code == 200, response.content
    assert set(response.json()) == SUMMARY_KEYS


def test_missing_intake_is_zero_where_the_clinic_does_not_require_intake(
    api, admin, clinic, one_of_each
):
    set_intake_required(clinic, False)

    response = api(admin).get(ADMIN_SUMMARY, {"date": "2030-01-07"})

    assert response.status_code == 200, response.content
    assert response.json()["missing_intake"] == 0
    assert response.json()["total_appointments"] == 5


@pytest.mark.parametrize(
    ("intake_status", "missing"), [("not_sent", 1), ("sent", 1), ("completed", 0), ("skipped", 0)]
)
def test_missing_intake_counts_open_visits_without_the_form(
    api, admin, doctor, patient, intake_status, missing
):
    appointment(doctor, patient, day=MONDAY, status="confirmed", intake_status=intake_status)
    appointment(doctor, patient, day=MONDAY, at="11:00", status="arrived", intake_status="sent")

    response = api(admin).get(ADMIN_SUMMARY, {"date": "2030-01-07"})

    assert response.json()["missing_intake"] == missing


def test_an_empty_day_is_all_zeros(api, admin, one_of_each):
    response = api(admin).get(ADMIN_SUMMARY, {"date": "2030-01-09"})

    assert response.status_code == 200, response.content
    assert response.json() == {"date": "2030-01-09", **dict.fromkeys(SUMMARY_KEYS - {"date"}, 0)}


@pytest.mark.parametrize("value", ["2030-02-30", "07/01/2030", "today"])
def test_bad_summary_date_gets_400(api, admin, value):
    assert_field_error(api(admin).get(ADMIN_SUMMARY, {"date": value}), "date")


def test_outsider_admin_counts_none_of_our_appointments(api, outsider_admin, one_of_each):
    response = api(outsider_admin).get(ADMIN_SUMMARY, {"date": "2030-01-07"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total_appointments"] == body["confirmed"] == 3
    assert body["cancelled_today"] == body["no_shows_today"] == body["arrived"] == 0


@pytest.mark.parametrize(("persona", "status"), [("doctor", 403), ("owner", 403), (None, 401)])
def test_admin_summary_is_for_admins_only(request, api, anon, one_of_each, persona, status):
    client = api(request.getfixturevalue(persona)) if persona else anon

    assert_error(client.get(ADMIN_SUMMARY, {"date": "2030-01-07"}), status)


@pytest.mark.parametrize("rows", [5, 60])
def test_admin_summary_query_count_does_not_grow_with_rows(
    api, admin, clinic, doctor, rows, django_assert_max_num_queries
):
    for n in range(rows):
        AppointmentFactory(
            doctor=doctor.doctor,
            patient=PatientFactory(clinic=clinic),
            scheduled_date=MONDAY,
            start_time=time(n // 4, (n % 4) * 15),
            duration=15,
            status=STATUSES[n % len(STATUSES)],
        )
    client = api(admin)

    with django_assert_max_num_queries(SUMMARY_QUERIES):
        response = client.get(ADMIN_SUMMARY, {"date": "2030-01-07"})

    assert response.status_code == 200
    body = response.json()
    assert body["total_appointments"] + body["cancelled_today"] + body["no_shows_today"] == rows
