"""Every number on a dashboard is the count of the list behind it.

Seeded random days of appointments (several doctors, every status and intake
status, the days before and after, and another clinic's rows that must never be
counted) are counted three ways: by the hero cards and metrics, by
``GET /api/appointments`` with the card's filters, and in Python. Visits either
side of local midnight, whose UTC dates differ from their local ones, count on
their local day; "today" is today in the clinic's zone.
"""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.dashboard.helpers import (
    ADMIN_CARDS,
    ADMIN_SUMMARY,
    DOCTOR_CARDS,
    DOCTOR_SUMMARY,
    DOCTOR_TODAY,
    METRICS,
    STATUSES,
    cards_from_the_list,
    list_count,
    scatter,
    set_intake_required,
    tally,
)
from tests.factories import DoctorFactory, PatientFactory
from tests.scheduling.helpers import MONDAY, TUESDAY, appointment

SUNDAY_BEFORE = MONDAY - timedelta(days=1)
DAYS = (SUNDAY_BEFORE, MONDAY, TUESDAY)
SEEDS = (7, 2024, 31337)


@pytest.fixture
def random_week(request, clinic, other_clinic, doctor, other_doctor, outsider_admin):
    """``random_week(seed)``: appointments of three doctors over Sunday-Tuesday, and
    of another clinic's doctor on the same days."""

    def build(seed: int):
        rng = random.Random(seed)
        third = DoctorFactory(clinic=clinic, name="Dr. Okafor")
        ours = scatter(
            rng,
            doctors=[doctor.doctor, other_doctor.doctor, third],
            patients=PatientFactory.create_batch(8, clinic=clinic),
            days=DAYS,
        )
        outsider = DoctorFactory(clinic=other_clinic, name="Dr. Uptown")
        theirs = scatter(
            rng,
            doctors=[outsider],
            patients=PatientFactory.create_batch(3, clinic=other_clinic),
            days=DAYS,
            most=10,
        )
        return ours, theirs

    return build


@pytest.mark.parametrize("intake_required", [True, False], ids=["intake", "no-intake"])
@pytest.mark.parametrize("seed", SEEDS)
def test_admin_cards_equal_their_list_counts_on_random_days(
    api, admin, clinic, random_week, seed, intake_required
):
    set_intake_required(clinic, intake_required)
    ours, theirs = random_week(seed)
    assert theirs, "the other clinic has appointments that must not be counted"
    client = api(admin)

    for day in DAYS:
        response = client.get(ADMIN_SUMMARY, {"date": day.isoformat()})

        assert response.status_code == 200, response.content
        cards = response.json()
        from_list = cards_from_the_list(client, ADMIN_CARDS, day, intake_required=intake_required)
        assert cards == {"date": day.isoformat(), **from_list}, day
        expected = tally(ours, day=day, intake_required=intake_required)
        assert cards["total_appointments"] == expected["live"]
        assert cards["cancelled_today"] == expected["by_status"]["cancelled"]
        assert cards["no_shows_today"] == expected["by_status"]["no_show"]
        assert cards["missing_intake"] == expected["missing_intake"]
        for status in ("confirmed", "unconfirmed", "arrived", "in_progress", "completed"):
            assert cards[status] == expected["by_status"][status], (day, status)


@pytest.mark.parametrize("intake_required", [True, False], ids=["intake", "no-intake"])
@pytest.mark.parametrize("seed", SEEDS)
def test_doctor_cards_equal_their_own_list_counts_on_random_days(
    api, doctor, clinic, random_week, seed, intake_required
):
    set_intake_required(clinic, intake_required)
    ours, _ = random_week(seed)
    client = api(doctor)

    for day in DAYS:
        response = client.get(DOCTOR_SUMMARY, {"date": day.isoformat()})

        assert response.status_code == 200, response.content
        cards = response.json()
        from_list = cards_from_the_list(client, DOCTOR_CARDS, day, intake_required=intake_required)
        assert cards == {"date": day.isoformat(), **from_list}, day
        expected = tally(ours, day=day, intake_required=intake_required, doctor=doctor.doctor)
        assert cards["my_appointments"] == expected["live"]
        assert cards["missing_intake"] == expected["missing_intake"]
        for status in ("confirmed", "unconfirmed", "arrived", "in_progress", "completed"):
            assert cards[status] == expected["by_status"][status], (day, status)


@pytest.mark.parametrize("seed", SEEDS)
def test_metrics_equal_the_list_counts_day_by_day_on_random_days(
    api, admin, owner, random_week, seed
):
    ours, _ = random_week(seed)
    desk = api(admin)

    for persona in (admin, owner):
        response = api(persona).get(
            METRICS, {"from": SUNDAY_BEFORE.isoformat(), "to": TUESDAY.isoformat()}
        )

        assert response.status_code == 200, response.content
        days = response.json()["days"]
        assert [d["date"] for d in days] == [d.isoformat() for d in DAYS]
        for entry, day in zip(days, DAYS, strict=True):
            expected = tally(ours, day=day, intake_required=True)["by_status"]
            for status in STATUSES:
                assert entry[status] == list_count(desk, date=day, status=status), (day, status)
                assert entry[status] == expected[status], (day, status)
            assert entry["total"] == sum(expected.values()) == list_count(desk, date=day)


# Either side of local midnight ------------------------------------------------------------

# An EST Monday and an EDT Monday: New York is 5 and 4 hours behind UTC.
MIDNIGHT_DAYS = [MONDAY, date(2030, 7, 8)]


@pytest.fixture
def around_midnight(doctor, clinic):
    """``around_midnight(day)``: Dr. Chen's confirmed visit at 23:30 on ``day`` and an
    unconfirmed one at 00:15 the next day, New York time: both on the next day in UTC."""

    def build(day: date):
        late = appointment(
            doctor,
            PatientFactory(clinic=clinic),
            day=day,
            at="23:30",
            status="confirmed",
            intake_status="completed",
        )
        early = appointment(
            doctor,
            PatientFactory(clinic=clinic),
            day=day + timedelta(days=1),
            at="00:15",
            status="unconfirmed",
        )
        assert late.starts_at.astimezone(UTC).date() == day + timedelta(days=1)
        assert early.starts_at.astimezone(UTC).date() == day + timedelta(days=1)
        return late, early

    return build


ZEROS = dict.fromkeys(
    ("confirmed", "unconfirmed", "missing_intake", "arrived", "in_progress", "completed"), 0
)


@pytest.mark.parametrize("day", MIDNIGHT_DAYS)
def test_admin_cards_count_visits_either_side_of_midnight_on_their_local_day(
    api, admin, around_midnight, day
):
    around_midnight(day)
    client = api(admin)
    next_day = day + timedelta(days=1)

    evening = client.get(ADMIN_SUMMARY, {"date": day.isoformat()})
    morning = client.get(ADMIN_SUMMARY, {"date": next_day.isoformat()})

    assert evening.status_code == morning.status_code == 200
    rest = {"cancelled_today": 0, "no_shows_today": 0}
    assert evening.json() == {
        **ZEROS,
        **rest,
        "date": day.isoformat(),
        "total_appointments": 1,
        "confirmed": 1,
    }
    assert morning.json() == {
        **ZEROS,
        **rest,
        "date": next_day.isoformat(),
        "total_appointments": 1,
        "unconfirmed": 1,
        "missing_intake": 1,
    }
    for when, response in ((day, evening), (next_day, morning)):
        assert response.json() == {
            "date": when.isoformat(),
            **cards_from_the_list(client, ADMIN_CARDS, when, intake_required=True),
        }


@pytest.mark.parametrize("day", MIDNIGHT_DAYS)
def test_doctor_cards_count_visits_either_side_of_midnight_on_their_local_day(
    api, doctor, around_midnight, day
):
    around_midnight(day)
    client = api(doctor)
    next_day = day + timedelta(days=1)

    evening = client.get(DOCTOR_SUMMARY, {"date": day.isoformat()})
    morning = client.get(DOCTOR_SUMMARY, {"date": next_day.isoformat()})

    assert evening.json() == {
        **ZEROS,
        "date": day.isoformat(),
        "my_appointments": 1,
        "confirmed": 1,
    }
    assert morning.json() == {
        **ZEROS,
        "date": next_day.isoformat(),
        "my_appointments": 1,
        "unconfirmed": 1,
        "missing_intake": 1,
    }


@pytest.mark.parametrize("day", MIDNIGHT_DAYS)
def test_metrics_count_visits_either_side_of_midnight_on_their_local_day(
    api, owner, around_midnight, day
):
    around_midnight(day)
    next_day = day + timedelta(days=1)

    response = api(owner).get(
        METRICS,
        {
            "from": (day - timedelta(days=1)).isoformat(),
            "to": (day + timedelta(days=2)).isoformat(),
        },
    )

    assert response.status_code == 200, response.content
    totals = {
        d["date"]: (d["total"], d["confirmed"], d["unconfirmed"]) for d in response.json()["days"]
    }
    assert totals == {
        (day - timedelta(days=1)).isoformat(): (0, 0, 0),
        day.isoformat(): (1, 1, 0),
        next_day.isoformat(): (1, 0, 1),
        (day + timedelta(days=2)).isoformat(): (0, 0, 0),
    }


# "Today" is today in New York -------------------------------------------------------------


@pytest.fixture
def monday_evening_in_utc_tuesday(freeze, around_midnight):
    """02:30 UTC on Tuesday: Monday 21:30 in New York. Dr. Chen sees a patient at
    23:30 on Monday and at 00:15 on Tuesday (both Tuesday in UTC)."""
    late, early = around_midnight(MONDAY)
    freeze(datetime(2030, 1, 8, 2, 30, tzinfo=UTC))
    return late, early


def test_admin_summary_defaults_to_today_in_clinic_time(api, admin, monday_evening_in_utc_tuesday):
    response = api(admin).get(ADMIN_SUMMARY)

    assert response.status_code == 200, response.content
    assert response.json()["date"] == "2030-01-07"
    assert response.json()["total_appointments"] == 1
    assert response.json()["confirmed"] == 1


def test_doctor_summary_defaults_to_today_in_clinic_time(
    api, doctor, monday_evening_in_utc_tuesday
):
    response = api(doctor).get(DOCTOR_SUMMARY)

    assert response.status_code == 200, response.content
    assert response.json()["date"] == "2030-01-07"
    assert response.json()["my_appointments"] == 1
    assert response.json()["confirmed"] == 1


def test_doctor_today_is_today_in_clinic_time(api, doctor, monday_evening_in_utc_tuesday):
    late, _ = monday_evening_in_utc_tuesday

    response = api(doctor).get(DOCTOR_TODAY)

    assert response.status_code == 200, response.content
    assert [item["appointment_id"] for item in response.json()] == [str(late.pk)]
    assert response.json()[0]["time"] == "23:30"


def test_metrics_default_to_the_thirty_days_up_to_today_in_clinic_time(
    api, owner, monday_evening_in_utc_tuesday
):
    response = api(owner).get(METRICS)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"]) == ("2029-12-09", "2030-01-07")
    assert len(body["days"]) == 30
    assert body["days"][-1]["date"] == "2030-01-07"
    assert body["days"][-1]["total"] == 1
    assert sum(d["total"] for d in body["days"]) == 1
