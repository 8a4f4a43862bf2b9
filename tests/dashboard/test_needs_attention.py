"""GET /api/dashboard/admin/needs-attention: what the front desk should act on from
now to ``days`` ahead: unconfirmed visits, visits lacking required intake, visits
staff flagged (``needs_attention``), and pending follow-ups to book (overdue ones
too)."""

from datetime import date, time, timedelta

import pytest

from tests.dashboard.helpers import NEEDS_ATTENTION, set_intake_required
from tests.factories import AppointmentFactory, FollowUpFactory, PatientFactory
from tests.scheduling.helpers import MONDAY, appointment, assert_error, assert_field_error

TODAY = MONDAY  # frozen at 09:00 in New York
APPOINTMENT_ITEM_KEYS = {
    "appointment_id",
    "date",
    "time",
    "status",
    "intake_status",
    "patient",
    "doctor",
    "needs_attention",
    "attention_reason",
}
FOLLOW_UP_ITEM_KEYS = {"follow_up_id", "due_date", "overdue", "patient", "doctor"}

# Session auth (one join), the appointment counts, three appointment lists, and the
# follow-up list (its count taken in the same query).
NEEDS_ATTENTION_QUERIES = 6


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def appointment_ids(response, key: str) -> list[str]:
    return [item["appointment_id"] for item in response.json()[key]]


def follow_up_ids(response) -> list[str]:
    return [item["follow_up_id"] for item in response.json()["pending_follow_ups"]]


@pytest.fixture
def now(freeze):
    return freeze(TODAY, "09:00")


@pytest.fixture
def week(now, clinic, doctor, other_doctor, outsider_doctor, outsider_patient):
    """A week of visits and follow-ups around Monday 09:00, by name."""

    def visit(name, who, offset, at, status, intake, **kwargs):
        patient = PatientFactory(clinic=clinic, first_name=name.title(), last_name="Case")
        return appointment(
            who, patient, day=day(offset), at=at, status=status, intake_status=intake, **kwargs
        )

    flag = {"needs_attention": True, "attention_reason": "Needs an interpreter"}

    rows = {
        "started_earlier": visit("started_earlier", doctor, 0, "08:30", "unconfirmed", "not_sent"),
        "starting_now": visit("starting_now", other_doctor, 0, "09:00", "unconfirmed", "completed"),
        "later_today": visit("later_today", doctor, 0, "10:00", "unconfirmed", "completed"),
        "arrived": visit("arrived", doctor, 0, "10:30", "arrived", "not_sent"),
        "tomorrow_no_form": visit("tomorrow_no_form", doctor, 1, "09:00", "confirmed", "not_sent"),
        "ready": visit("ready", doctor, 1, "10:00", "confirmed", "completed"),
        "skipped": visit("skipped", other_doctor, 1, "11:00", "confirmed", "skipped"),
        "cancelled": visit("cancelled", doctor, 1, "12:00", "cancelled", "not_sent"),
        "both": visit("both", other_doctor, 2, "11:00", "unconfirmed", "sent"),
        "last_day": visit("last_day", doctor, 7, "16:00", "unconfirmed", "not_sent"),
        "beyond": visit("beyond", doctor, 8, "09:00", "unconfirmed", "not_sent"),
        "yesterday": visit("yesterday", doctor, -1, "10:00", "unconfirmed", "not_sent"),
        "flagged": visit("flagged", other_doctor, 3, "09:00", "confirmed", "completed", **flag),
        "flagged_unconfirmed": visit(
            "flagged_unconfirmed", doctor, 4, "09:00", "unconfirmed", "completed", **flag
        ),
        "flagged_arrived": visit(
            "flagged_arrived", doctor, 0, "11:00", "arrived", "skipped", **flag
        ),
        "flagged_beyond": visit("flagged_beyond", doctor, 9, "09:00", "confirmed", "sent", **flag),
        "outsider": AppointmentFactory(
            doctor=outsider_doctor.doctor,
            patient=outsider_patient,
            scheduled_date=day(1),
            status="unconfirmed",
        ),
    }
    patient = rows["later_today"].patient

    def follow_up(offset, status="pending", who=doctor, **kwargs):
        return FollowUpFactory(
            doctor=who.doctor,
            patient=kwargs.pop("patient", patient),
            scheduled_date=day(offset),
            status=status,
            **kwargs,
        )

    rows.update(
        fu_overdue=follow_up(-4, note="Overdue recheck."),
        fu_today=follow_up(0, who=other_doctor),
        fu_last_day=follow_up(7),
        fu_beyond=follow_up(8),
        fu_scheduled=follow_up(1, "scheduled", follow_up_appointment=rows["tomorrow_no_form"]),
        fu_completed=follow_up(1, "completed"),
        fu_cancelled=follow_up(1, "cancelled"),
        fu_outsider=follow_up(1, who=outsider_doctor, patient=outsider_patient),
    )
    return rows


def test_needs_attention_lists_upcoming_unconfirmed_and_missing_intake_soonest_first(
    api, admin, week
):
    response = api(admin).get(NEEDS_ATTENTION)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "window_days",
        "counts",
        "unconfirmed_appointments",
        "missing_intake",
        "flagged_appointments",
        "pending_follow_ups",
    }
    assert body["window_days"] == 7
    assert appointment_ids(response, "unconfirmed_appointments") == [
        str(week[k].pk)
        for k in ("starting_now", "later_today", "both", "flagged_unconfirmed", "last_day")
    ]
    assert appointment_ids(response, "missing_intake") == [
        str(week[k].pk) for k in ("tomorrow_no_form", "both", "last_day")
    ]
    assert appointment_ids(response, "flagged_appointments") == [
        str(week[k].pk) for k in ("flagged", "flagged_unconfirmed")
    ]
    assert follow_up_ids(response) == [
        str(week[k].pk) for k in ("fu_overdue", "fu_today", "fu_last_day")
    ]
    assert body["counts"] == {
        "unconfirmed_appointments": 5,
        "missing_intake": 3,
        "flagged_appointments": 2,
        "pending_follow_ups": 3,
    }


def test_needs_attention_items_carry_who_and_when(api, admin, doctor, other_doctor, week):
    response = api(admin).get(NEEDS_ATTENTION)

    both = response.json()["missing_intake"][1]
    patient = week["both"].patient
    assert set(both) >= APPOINTMENT_ITEM_KEYS
    assert {k: both[k] for k in APPOINTMENT_ITEM_KEYS} == {
        "appointment_id": str(week["both"].pk),
        "date": "2030-01-09",
        "time": "11:00",
        "status": "unconfirmed",
        "intake_status": "sent",
        "patient": {"id": str(patient.pk), "name": "Both Case", "phone": patient.phone},
        "doctor": {"id": str(other_doctor.doctor.pk), "name": "Dr. Patel"},
        "needs_attention": False,
        "attention_reason": "",
    }
    overdue, today = response.json()["pending_follow_ups"][:2]
    ann = week["later_today"].patient
    assert set(overdue) >= FOLLOW_UP_ITEM_KEYS
    assert {k: overdue[k] for k in FOLLOW_UP_ITEM_KEYS} == {
        "follow_up_id": str(week["fu_overdue"].pk),
        "due_date": "2030-01-03",
        "overdue": True,
        "patient": {"id": str(ann.pk), "name": "Later_Today Case", "phone": ann.phone},
        "doctor": {"id": str(doctor.doctor.pk), "name": "Dr. Chen"},
    }
    assert (today["due_date"], today["overdue"]) == ("2030-01-07", False)
    assert today["doctor"] == {"id": str(other_doctor.doctor.pk), "name": "Dr. Patel"}


def test_needs_attention_counts_equal_the_lengths_of_its_lists(api, admin, week):
    for days in (0, 1, 2, 7, 30):
        body = api(admin).get(NEEDS_ATTENTION, {"days": days}).json()

        assert body["window_days"] == days
        for key in (
            "unconfirmed_appointments",
            "missing_intake",
            "flagged_appointments",
            "pending_follow_ups",
        ):
            assert body["counts"][key] == len(body[key]), (days, key)


def test_a_window_of_zero_days_is_the_rest_of_today_and_what_is_overdue(api, admin, week):
    response = api(admin).get(NEEDS_ATTENTION, {"days": 0})

    assert response.status_code == 200, response.content
    assert appointment_ids(response, "unconfirmed_appointments") == [
        str(week[k].pk) for k in ("starting_now", "later_today")
    ]
    assert appointment_ids(response, "missing_intake") == []
    assert follow_up_ids(response) == [str(week[k].pk) for k in ("fu_overdue", "fu_today")]


def test_a_wider_window_reaches_further(api, admin, week):
    response = api(admin).get(NEEDS_ATTENTION, {"days": 8})

    assert str(week["beyond"].pk) in appointment_ids(response, "unconfirmed_appointments")
    assert str(week["beyond"].pk) in appointment_ids(response, "missing_intake")
    assert str(week["fu_beyond"].pk) in follow_up_ids(response)


def test_missing_intake_is_empty_where_the_clinic_does_not_require_intake(api, admin, clinic, week):
    set_intake_required(clinic, False)

    response = api(admin).get(NEEDS_ATTENTION)

    assert response.status_code == 200, response.content
    assert response.json()["missing_intake"] == []
    assert response.json()["counts"]["missing_intake"] == 0
    assert response.json()["counts"]["unconfirmed_appointments"] == 5
    assert response.json()["counts"]["flagged_appointments"] == 2


def test_a_booked_follow_up_leaves_the_queue(api, admin, doctor, week):
    """Booking through POST /api/appointments with ``follow_up_id`` takes it off the list."""
    client = api(admin)
    fu = week["fu_last_day"]

    booked = client.post(
        "/api/appointments/",
        {
            "doctor_id": str(doctor.doctor.pk),
            "patient_id": str(fu.patient_id),
            "scheduled_date": "2030-01-14",
            "start_time": "10:00",
            "visit_type": "in_clinic",
            "follow_up_id": str(fu.pk),
        },
    )
    response = client.get(NEEDS_ATTENTION)

    assert booked.status_code == 201, booked.content
    assert str(fu.pk) not in follow_up_ids(response)
    assert response.json()["counts"]["pending_follow_ups"] == 2


def test_a_flagged_visit_carries_the_reason_staff_gave(api, admin, week):
    """The stored ``needs_attention`` flag is the front desk's own: "look at this
    visit", with ``attention_reason``. It counts while the visit is open and in the
    window, like every other reason; an arrived visit or one beyond is not listed."""
    response = api(admin).get(NEEDS_ATTENTION)

    first = response.json()["flagged_appointments"][0]
    assert first["appointment_id"] == str(week["flagged"].pk)
    assert (first["needs_attention"], first["attention_reason"]) == (True, "Needs an interpreter")
    listed = appointment_ids(response, "flagged_appointments")
    assert str(week["flagged_arrived"].pk) not in listed
    assert str(week["flagged_beyond"].pk) not in listed


def test_flagging_a_visit_through_the_api_puts_it_in_the_queue_and_unflagging_takes_it_out(
    api, admin, week
):
    client = api(admin)
    ready = week["ready"]

    flagged = client.put(
        f"/api/appointments/{ready.pk}/",
        {"needs_attention": True, "attention_reason": "Call about insurance"},
    )
    while_flagged = client.get(NEEDS_ATTENTION).json()
    cleared = client.put(f"/api/appointments/{ready.pk}/", {"needs_attention": False})
    after = client.get(NEEDS_ATTENTION).json()

    assert (flagged.status_code, cleared.status_code) == (200, 200)
    assert str(ready.pk) in [i["appointment_id"] for i in while_flagged["flagged_appointments"]]
    assert while_flagged["counts"]["flagged_appointments"] == 3
    assert str(ready.pk) not in [i["appointment_id"] for i in after["flagged_appointments"]]
    assert after["counts"]["flagged_appointments"] == 2


@pytest.mark.parametrize("days", ["-1", "61", "seven", "1.5"])
def test_window_outside_zero_to_sixty_days_gets_400(api, admin, days):
    assert_field_error(api(admin).get(NEEDS_ATTENTION, {"days": days}), "days")


def test_a_sixty_day_window_is_allowed(api, admin, week):
    response = api(admin).get(NEEDS_ATTENTION, {"days": 60})

    assert response.status_code == 200, response.content
    assert response.json()["window_days"] == 60


def test_lists_hold_the_soonest_fifty_and_counts_the_full_number(api, admin, clinic, doctor, now):
    for n in range(55):
        AppointmentFactory(
            doctor=doctor.doctor,
            patient=PatientFactory(clinic=clinic),
            scheduled_date=day(1 + n // 16),
            start_time=time(9 + (n % 16) // 2, (n % 2) * 30),
            status="unconfirmed",
        )

    body = api(admin).get(NEEDS_ATTENTION).json()

    assert body["counts"]["unconfirmed_appointments"] == 55
    listed = [(item["date"], item["time"]) for item in body["unconfirmed_appointments"]]
    assert len(listed) == 50
    assert listed == sorted(listed)


def test_outsider_admin_sees_none_of_our_queue(api, outsider_admin, outsider_doctor, week):
    response = api(outsider_admin).get(NEEDS_ATTENTION)

    assert response.status_code == 200, response.content
    assert appointment_ids(response, "unconfirmed_appointments") == [str(week["outsider"].pk)]
    assert follow_up_ids(response) == [str(week["fu_outsider"].pk)]
    assert "Case" not in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("doctor", 403), ("owner", 403), (None, 401)])
def test_needs_attention_is_for_admins_only(request, api, anon, week, persona, status):
    client = api(request.getfixturevalue(persona)) if persona else anon

    response = client.get(NEEDS_ATTENTION)

    assert_error(response, status)
    assert "Case" not in response.content.decode()


@pytest.mark.parametrize("rows", [5, 60])
def test_needs_attention_query_count_does_not_grow_with_rows(
    api, admin, clinic, doctor, other_doctor, now, rows, django_assert_max_num_queries
):
    for n in range(rows):
        who = (doctor, other_doctor)[n % 2]
        patient = PatientFactory(clinic=clinic)
        AppointmentFactory(
            doctor=who.doctor,
            patient=patient,
            scheduled_date=day(1 + n // 16),
            start_time=time(9 + (n % 16) // 2, (n % 2) * 30),
            status=("unconfirmed", "confirmed")[n % 2],
            intake_status="not_sent",
        )
        FollowUpFactory(doctor=who.doctor, patient=patient, scheduled_date=day(n % 7))
    client = api(admin)

    with django_assert_max_num_queries(NEEDS_ATTENTION_QUERIES):
        response = client.get(NEEDS_ATTENTION, {"days": 60})

    assert response.status_code == 200
    assert response.json()["counts"]["pending_follow_ups"] == rows
