"""GET /api/schedule/available: a doctor's free slots of a day, for admins booking."""

import itertools
import uuid
from datetime import timedelta

import pytest

from tests.factories import DoctorFactory
from tests.scheduling.helpers import (
    ALL_DAYS_OPEN,
    FALL_BACK,
    FRIDAY,
    MONDAY,
    SATURDAY,
    SPRING_FORWARD,
    SUNDAY,
    appointment,
    assert_error,
    assert_field_error,
    book,
    clinic_rules,
    doctor_rules,
    local,
    minutes_between,
    parse,
    starts,
)

AVAILABLE = "/api/schedule/available/"
WORKDAY = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)]


def available(client, doctor, day=MONDAY):
    doctor_id = getattr(doctor, "doctor", doctor).id
    params = {"doctor_id": str(doctor_id)}
    if day is not None:
        params["date"] = day.isoformat()
    return client.get(AVAILABLE, params)


def assert_real_slots(slots, minutes: int):
    """Each slot lasts ``minutes`` of real time; slots follow one another without overlap."""
    for slot in slots:
        assert minutes_between(slot["starts_at"], slot["ends_at"]) == minutes, slot
    for before, after in itertools.pairwise(slots):
        assert parse(before["ends_at"]) <= parse(after["starts_at"]), (before, after)


def test_free_slots_follow_the_clinics_hours(api, admin, doctor):
    response = available(api(admin), doctor)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"doctor_id", "date", "slot_minutes", "slots"}
    assert body["doctor_id"] == str(doctor.doctor.id)
    assert body["date"] == "2030-01-07"
    assert body["slot_minutes"] == 30
    assert starts(response) == WORKDAY
    first = body["slots"][0]
    assert set(first) == {"start", "end", "starts_at", "ends_at"}
    assert (first["start"], first["end"]) == ("09:00", "09:30")
    assert parse(first["starts_at"]) == local(MONDAY, "09:00")
    assert parse(first["ends_at"]) == local(MONDAY, "09:30")
    assert body["slots"][-1]["end"] == "17:00"
    assert_real_slots(body["slots"], 30)


@pytest.mark.parametrize("path", ["/api/schedule/available", "/api/schedule/available/"])
def test_available_answers_with_and_without_a_trailing_slash(api, admin, doctor, path):
    response = api(admin).get(path, {"doctor_id": str(doctor.doctor.id), "date": "2030-01-07"})

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("size", "count", "first_ends", "last"),
    [
        (15, 32, "09:15", ("16:45", "17:00")),
        (30, 16, "09:30", ("16:30", "17:00")),
        (45, 10, "09:45", ("15:45", "16:30")),
    ],
)
def test_slot_size_follows_the_clinic_setting(
    api, admin, clinic, doctor, size, count, first_ends, last
):
    clinic_rules(clinic, slot_size=size)

    response = available(api(admin), doctor)

    body = response.json()
    assert body["slot_minutes"] == size
    assert len(body["slots"]) == count
    assert body["slots"][0]["end"] == first_ends
    assert (body["slots"][-1]["start"], body["slots"][-1]["end"]) == last
    assert_real_slots(body["slots"], size)


def test_doctor_hours_override_the_clinics(api, admin, doctor):
    doctor_rules(doctor, working_hours_override={"start": "10:00", "end": "12:00"})

    response = available(api(admin), doctor)

    assert starts(response) == ["10:00", "10:30", "11:00", "11:30"]


def test_doctor_hours_may_be_wider_than_the_clinics(api, admin, doctor):
    doctor_rules(doctor, working_hours_override={"start": "07:00", "end": "19:00"})

    response = available(api(admin), doctor)

    assert starts(response)[0] == "07:00"
    assert response.json()["slots"][-1]["end"] == "19:00"
    assert len(starts(response)) == 24


def test_other_doctors_keep_the_clinics_hours(api, admin, doctor, other_doctor):
    doctor_rules(doctor, working_hours_override={"start": "10:00", "end": "12:00"})

    assert starts(available(api(admin), other_doctor)) == WORKDAY


@pytest.mark.parametrize("day", [SATURDAY, SUNDAY])
def test_a_closed_day_has_no_slots(api, admin, doctor, day):
    response = available(api(admin), doctor, day)

    assert response.status_code == 200, response.content
    assert response.json()["slots"] == []
    assert response.json()["slot_minutes"] == 30
    assert response.json()["date"] == day.isoformat()


def test_a_day_the_clinic_opened_has_slots(api, admin, clinic, doctor):
    clinic_rules(clinic, working_days=ALL_DAYS_OPEN)

    assert starts(available(api(admin), doctor, SATURDAY)) == WORKDAY


def test_an_inactive_doctor_has_no_slots(api, admin, doctor):
    doctor.doctor.is_active = False
    doctor.doctor.save()

    response = available(api(admin), doctor)

    assert response.status_code == 200, response.content
    assert response.json()["slots"] == []


@pytest.mark.parametrize(
    ("now", "first"),
    [("11:10", "11:30"), ("11:00", "11:30"), ("10:59", "11:00"), ("08:00", "09:00")],
)
def test_slots_already_begun_today_are_left_out(api, admin, doctor, freeze, now, first):
    freeze(MONDAY, now)

    response = available(api(admin), doctor)

    assert starts(response)[0] == first
    assert starts(response) == [s for s in WORKDAY if s >= first]


def test_a_past_day_has_no_slots(api, admin, doctor, freeze):
    freeze(MONDAY, "08:00")

    response = available(api(admin), doctor, FRIDAY)

    assert response.status_code == 200, response.content
    assert response.json()["slots"] == []


def test_after_closing_time_today_has_no_slots(api, admin, doctor, freeze):
    freeze(MONDAY, "17:30")

    assert available(api(admin), doctor).json()["slots"] == []


def test_the_date_defaults_to_today_in_the_clinic(api, admin, doctor, freeze):
    # 01:30 UTC on Tuesday is still Monday evening in New York.
    freeze(MONDAY, "20:30")

    response = available(api(admin), doctor, day=None)

    assert response.status_code == 200, response.content
    assert response.json()["date"] == "2030-01-07"
    assert response.json()["slots"] == []


def test_booked_slots_are_left_out(api, admin, doctor, patient, other_patient):
    appointment(doctor, patient, at="10:00", duration=30)
    appointment(doctor, other_patient, at="13:00", duration=45)

    response = available(api(admin), doctor)

    assert starts(response) == [s for s in WORKDAY if s not in ("10:00", "13:00", "13:30")]


def test_a_visit_off_the_slot_grid_blocks_every_slot_it_touches(api, admin, doctor, patient):
    appointment(doctor, patient, at="10:15", duration=30)

    response = available(api(admin), doctor)

    assert starts(response) == [s for s in WORKDAY if s not in ("10:00", "10:30")]


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_a_cancelled_appointment_frees_its_slot(api, admin, doctor, patient, status):
    appointment(doctor, patient, at="10:00", status=status)

    assert starts(available(api(admin), doctor)) == WORKDAY


def test_another_doctors_appointments_do_not_take_slots(api, admin, doctor, other_doctor, patient):
    appointment(other_doctor, patient, at="10:00")

    assert starts(available(api(admin), doctor)) == WORKDAY


def test_another_days_appointments_do_not_take_slots(api, admin, doctor, patient):
    appointment(doctor, patient, day=FRIDAY, at="10:00")

    assert starts(available(api(admin), doctor)) == WORKDAY


def test_booking_a_slot_removes_exactly_it_and_cancelling_frees_it(api, admin, doctor, patient):
    client = api(admin)
    before = starts(available(client, doctor))

    booked = book(client, doctor=doctor, patient=patient, start_time="11:30").json()
    after_booking = starts(available(client, doctor))
    client.post(f"/api/appointments/{booked['id']}/cancel/", {"reason": "patient_cancelled"})
    after_cancel = starts(available(client, doctor))

    assert after_booking == [s for s in before if s != "11:30"]
    assert after_cancel == before


# Roles and scope ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["doctor", "owner"])
def test_only_admins_see_free_slots(api, request, role, doctor):
    response = available(api(request.getfixturevalue(role)), doctor)

    assert_error(response, 403, "forbidden_role")


def test_anonymous_cannot_see_free_slots(anon, doctor):
    assert_error(available(anon, doctor), 401, "not_authenticated")


def test_outsider_gets_404_for_our_doctor(api, outsider_admin, doctor):
    assert_error(available(api(outsider_admin), doctor), 404)


def test_another_clinics_doctor_is_404(api, admin, outsider_doctor):
    assert_error(available(api(admin), outsider_doctor), 404)


def test_an_unknown_doctor_is_404(api, admin):
    response = api(admin).get(AVAILABLE, {"doctor_id": str(uuid.uuid4()), "date": "2030-01-07"})

    assert_error(response, 404)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"doctor_id": None, "date": "2030-01-07"}, "doctor_id"),
        ({"doctor_id": "", "date": "2030-01-07"}, "doctor_id"),
        ({"doctor_id": "abc", "date": "2030-01-07"}, "doctor_id"),
        ({"doctor_id": "12", "date": "2030-01-07"}, "doctor_id"),
        ({"date": "2030-02-30"}, "date"),
        ({"date": "07/01/2030"}, "date"),
        ({"date": "soon"}, "date"),
    ],
)
def test_bad_available_query_is_a_400_naming_the_parameter(api, admin, doctor, params, field):
    params = {"doctor_id": str(doctor.doctor.id), **params}
    params = {key: value for key, value in params.items() if value is not None}

    assert_field_error(api(admin).get(AVAILABLE, params), field)


# Daylight saving time (America/New_York) -----------------------------------------------------


@pytest.fixture
def night_shift(clinic, doctor):
    """Open every day, Dr. Chen works 00:00-05:00 (across the 02:00 clock change)."""
    clinic_rules(clinic, working_days=ALL_DAYS_OPEN)
    doctor_rules(doctor, working_hours_override={"start": "00:00", "end": "05:00"})


def test_spring_forward_skips_the_missing_hour(api, admin, doctor, night_shift):
    response = available(api(admin), doctor, SPRING_FORWARD)

    slots = response.json()["slots"]
    assert starts(response) == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "03:00",
        "03:30",
        "04:00",
        "04:30",
    ]
    assert all(not s["start"].startswith("02:") for s in slots)
    assert_real_slots(slots, 30)
    assert [s["end"] for s in slots] == [
        "00:30",
        "01:00",
        "01:30",
        "03:00",
        "03:30",
        "04:00",
        "04:30",
        "05:00",
    ]
    assert parse(slots[3]["ends_at"]) == parse(slots[4]["starts_at"])
    assert parse(slots[3]["starts_at"]) == local(SPRING_FORWARD, "01:30")  # -05:00
    assert parse(slots[4]["starts_at"]) == local(SPRING_FORWARD, "03:00")  # -04:00


def test_a_booking_on_spring_forward_day_removes_exactly_its_slot(
    api, admin, doctor, patient, night_shift
):
    client = api(admin)
    before = available(client, doctor, SPRING_FORWARD).json()["slots"]

    booked = book(
        client, doctor=doctor, patient=patient, scheduled_date=SPRING_FORWARD, start_time="01:30"
    )
    after = available(client, doctor, SPRING_FORWARD).json()["slots"]

    assert booked.status_code == 201, booked.content
    assert [s["start"] for s in after] == [s["start"] for s in before if s["start"] != "01:30"]


def test_fall_back_slots_are_consistent(api, admin, doctor, night_shift):
    response = available(api(admin), doctor, FALL_BACK)

    slots = response.json()["slots"]
    labels = starts(response)
    assert len(labels) == len(set(labels))
    assert labels[:4] == ["00:00", "00:30", "01:00", "01:30"]
    assert labels[-1] == "04:30"
    assert slots[-1]["end"] == "05:00"
    assert_real_slots(slots, 30)
    # The repeated hour is offered once, as its first (daylight time) occurrence.
    assert parse(slots[2]["starts_at"]) == local(FALL_BACK, "01:00")  # -04:00


def test_a_booking_on_fall_back_day_removes_exactly_its_slot(
    api, admin, doctor, patient, night_shift
):
    client = api(admin)
    before = available(client, doctor, FALL_BACK).json()["slots"]
    slot = next(s for s in before if s["start"] == "01:30")

    booked = book(
        client, doctor=doctor, patient=patient, scheduled_date=FALL_BACK, start_time="01:30"
    )
    after = available(client, doctor, FALL_BACK).json()["slots"]

    assert booked.status_code == 201, booked.content
    body = booked.json()
    assert parse(body["starts_at"]) == parse(slot["starts_at"])
    assert parse(body["ends_at"]) == parse(slot["starts_at"]) + timedelta(minutes=30)
    assert after == [s for s in before if s["start"] != "01:30"]


CLOCK_CHANGE_WEEKEND = [
    (SPRING_FORWARD - timedelta(days=1), "-05:00"),
    (SPRING_FORWARD, "-04:00"),
    (FALL_BACK - timedelta(days=1), "-04:00"),
    (FALL_BACK, "-05:00"),
]


@pytest.mark.parametrize(("day", "offset"), CLOCK_CHANGE_WEEKEND)
def test_an_office_day_on_a_clock_change_weekend_has_sixteen_slots(
    api, admin, clinic, doctor, day, offset
):
    clinic_rules(clinic, working_days=ALL_DAYS_OPEN)

    response = available(api(admin), doctor, day)

    slots = response.json()["slots"]
    assert starts(response) == WORKDAY
    assert [s["end"] for s in slots] == [*WORKDAY[1:], "17:00"]
    assert_real_slots(slots, 30)
    assert parse(slots[0]["starts_at"]) == local(day, "09:00")
    assert parse(slots[-1]["ends_at"]) == local(day, "17:00")


@pytest.mark.parametrize(("day", "offset"), CLOCK_CHANGE_WEEKEND)
def test_slot_timestamps_carry_the_clinics_utc_offset(api, admin, clinic, doctor, day, offset):
    clinic_rules(clinic, working_days=ALL_DAYS_OPEN)

    slots = available(api(admin), doctor, day).json()["slots"]

    for slot in slots:
        assert slot["starts_at"].endswith(offset), slot
        assert slot["ends_at"].endswith(offset), slot
    assert slots[0]["starts_at"] == f"{day.isoformat()}T09:00:00{offset}"


def test_a_doctor_from_the_same_clinic_created_later_is_listed(api, admin, clinic):
    newcomer = DoctorFactory(clinic=clinic)

    assert starts(available(api(admin), newcomer)) == WORKDAY
