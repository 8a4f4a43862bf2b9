"""GET /api/dashboard/admin/cancellations: cancellations and no-shows recorded in the
last ``days`` days (default 7), newest first, with why and by whom."""

from datetime import timedelta

import pytest

from scheduling.models import Cancellation
from tests.dashboard.helpers import CANCELLATIONS
from tests.factories import CancellationFactory, PatientFactory
from tests.scheduling.helpers import (
    MONDAY,
    TUESDAY,
    appointment,
    appointment_url,
    assert_error,
    assert_field_error,
)

ITEM_KEYS = {
    "id",
    "appointment_id",
    "patient",
    "doctor",
    "cancellation_type",
    "reason_note",
    "cancelled_by_id",
    "cancelled_by_name",
    "original_date",
    "original_time",
    "created_at",
}

# Session auth (one join), count, page (patient and doctor joined in).
CANCELLATIONS_QUERIES = 3


def cancelled(doctor, patient=None, *, ago: timedelta = timedelta(0), **kwargs) -> Cancellation:
    """A cancellation of one of ``doctor``'s visits, recorded ``ago`` before now."""
    extra = {"appointment__patient": patient} if patient else {}
    row = CancellationFactory(
        appointment__doctor=doctor.doctor,
        appointment__scheduled_date=TUESDAY,
        **extra,
        **kwargs,
    )
    if ago:
        Cancellation.objects.filter(pk=row.pk).update(created_at=row.created_at - ago)
    return row


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def now(freeze):
    return freeze(MONDAY, "12:00")


@pytest.fixture
def history(now, doctor, other_doctor, outsider_doctor):
    return {
        "just_now": cancelled(doctor),
        "yesterday": cancelled(other_doctor, ago=timedelta(hours=20)),
        "no_show": cancelled(
            doctor, ago=timedelta(days=3), cancellation_type=Cancellation.Type.NO_SHOW
        ),
        "six_days_ago": cancelled(doctor, ago=timedelta(days=7) - timedelta(minutes=1)),
        "eight_days_ago": cancelled(doctor, ago=timedelta(days=7, minutes=1)),
        "last_month": cancelled(other_doctor, ago=timedelta(days=29)),
        "outsider": cancelled(outsider_doctor),
    }


def test_admin_sees_the_last_weeks_cancellations_newest_first(api, admin, history):
    response = api(admin).get(CANCELLATIONS)

    assert ids(response) == [
        str(history[k].pk) for k in ("just_now", "yesterday", "no_show", "six_days_ago")
    ]
    body = response.json()
    assert body["count"] == 4
    assert body["next"] is None
    assert body["results"][2]["cancellation_type"] == "no_show"


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, ["just_now", "yesterday"]),
        (7, ["just_now", "yesterday", "no_show", "six_days_ago"]),
        (
            30,
            ["just_now", "yesterday", "no_show", "six_days_ago", "eight_days_ago", "last_month"],
        ),
        (365, ["just_now", "yesterday", "no_show", "six_days_ago", "eight_days_ago", "last_month"]),
    ],
)
def test_cancellations_window_is_the_last_n_days(api, admin, history, days, expected):
    response = api(admin).get(CANCELLATIONS, {"days": days})

    assert ids(response) == [str(history[k].pk) for k in expected]
    assert response.json()["count"] == len(expected)


def test_a_cancellation_through_the_api_shows_why_and_by_whom(api, admin, doctor, clinic, now):
    patient = PatientFactory(clinic=clinic, first_name="Ann", last_name="Smith")
    visit = appointment(doctor, patient, day=TUESDAY, at="14:30", status="confirmed")
    client = api(admin)
    cancel = client.post(
        appointment_url(visit, "cancel"), {"reason": "patient_cancelled", "note": "Car broke down."}
    )
    assert cancel.status_code == 200, cancel.content

    response = client.get(CANCELLATIONS)

    assert response.json()["count"] == 1
    item = response.json()["results"][0]
    assert set(item) == ITEM_KEYS
    assert item["appointment_id"] == str(visit.pk)
    assert item["cancellation_type"] == "patient_cancelled"
    assert item["reason_note"] == "Car broke down."
    assert item["cancelled_by_id"] == str(admin.pk)
    assert item["cancelled_by_name"] == admin.get_full_name()
    assert item["cancelled_by_name"]
    assert (item["original_date"], item["original_time"]) == ("2030-01-08", "14:30")
    assert item["patient"] == {"id": str(patient.pk), "name": "Ann Smith"}
    assert item["doctor"]["id"] == str(doctor.doctor.pk)
    assert item["doctor"]["name"] == "Dr. Chen"


def test_cancellations_are_paginated(api, admin, doctor, now):
    for _ in range(30):
        cancelled(doctor)
    client = api(admin)

    first = client.get(CANCELLATIONS)
    second = client.get(CANCELLATIONS, {"page": 2})

    assert first.json()["count"] == 30
    assert len(first.json()["results"]) == 25
    assert first.json()["next"] is not None
    assert len(second.json()["results"]) == 5
    assert set(ids(first)).isdisjoint(ids(second))


@pytest.mark.parametrize("days", ["0", "-1", "366", "week"])
def test_cancellations_window_outside_one_to_365_days_gets_400(api, admin, days):
    assert_field_error(api(admin).get(CANCELLATIONS, {"days": days}), "days")


def test_outsider_admin_sees_only_their_own_clinics_cancellations(api, outsider_admin, history):
    assert ids(api(outsider_admin).get(CANCELLATIONS, {"days": 365})) == [
        str(history["outsider"].pk)
    ]


@pytest.mark.parametrize(("persona", "status"), [("doctor", 403), ("owner", 403), (None, 401)])
def test_cancellations_dashboard_is_for_admins_only(request, api, anon, history, persona, status):
    client = api(request.getfixturevalue(persona)) if persona else anon

    assert_error(client.get(CANCELLATIONS), status)


@pytest.mark.parametrize("rows", [5, 60])
def test_cancellations_query_count_does_not_grow_with_rows(
    api, admin, doctor, other_doctor, now, rows, django_assert_max_num_queries
):
    for n in range(rows):
        cancelled((doctor, other_doctor)[n % 2], ago=timedelta(hours=n))
    client = api(admin)

    with django_assert_max_num_queries(CANCELLATIONS_QUERIES):
        response = client.get(CANCELLATIONS, {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
