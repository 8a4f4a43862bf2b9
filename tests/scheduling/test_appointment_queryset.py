"""``Appointment.objects``: the one definition of "open", "live", "missing intake",
"needs attention" and "what this user may see", which every selector, count and list
reads (STYLE.md, "One definition per concept")."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from scheduling.models import Appointment, Cancellation
from tests.factories import CancellationFactory, UserFactory
from tests.scheduling.helpers import MONDAY, NY, STATUSES, appointment, clinic_rules

INTAKE_STATUSES = ("not_sent", "sent", "completed", "skipped")
NOW = datetime.combine(MONDAY, time(12), tzinfo=NY)  # the clinic's wall clock


def statuses(queryset) -> set[tuple[str, str]]:
    return set(queryset.values_list("status", "intake_status"))


@pytest.fixture
def every_state(doctor, patient):
    """One visit in each status and intake status, an hour apart from Tuesday on."""
    for n, (status, intake) in enumerate(
        (status, intake) for status in STATUSES for intake in INTAKE_STATUSES
    ):
        appointment(
            doctor,
            patient,
            day=MONDAY + timedelta(days=1 + n // 10),
            at=f"{8 + n % 10:02d}:00",
            status=status,
            intake_status=intake,
        )


def test_open_is_unconfirmed_or_confirmed(every_state):
    assert {s for s, _ in statuses(Appointment.objects.open())} == {"unconfirmed", "confirmed"}


def test_live_is_everything_but_cancelled_and_no_show(every_state):
    assert {s for s, _ in statuses(Appointment.objects.live())} == {
        "unconfirmed",
        "confirmed",
        "arrived",
        "in_progress",
        "completed",
    }


def test_missing_intake_is_an_open_visit_whose_form_is_not_in(every_state):
    assert statuses(Appointment.objects.missing_intake()) == {
        (status, intake)
        for status in ("unconfirmed", "confirmed")
        for intake in ("not_sent", "sent")
    }


def test_nothing_is_missing_intake_where_the_clinic_does_not_require_it(clinic, every_state):
    clinic_rules(clinic, intake_required=False)

    assert not Appointment.objects.missing_intake().exists()


def test_missing_intake_applies_each_clinics_own_rule(
    doctor, patient, outsider_doctor, outsider_patient
):
    clinic_rules(outsider_doctor.clinic, intake_required=False)
    ours = appointment(doctor, patient, intake_status="not_sent")
    appointment(outsider_doctor, outsider_patient, intake_status="not_sent")

    assert list(Appointment.objects.missing_intake()) == [ours]


# needing_attention ------------------------------------------------------------------------


def attention(**kwargs) -> set[str]:
    kwargs.setdefault("now", NOW)
    return {a.visit_reason for a in Appointment.objects.needing_attention(**kwargs)}


@pytest.fixture
def around_now(doctor, patient):
    """Visits named by where they lie from Monday 12:00, each unconfirmed."""

    def at(name, offset, hhmm, **kwargs):
        day = MONDAY + timedelta(days=offset)
        appointment(doctor, patient, day=day, at=hhmm, visit_reason=name, **kwargs)

    at("began_this_morning", 0, "09:00")
    at("still_running", 0, "11:15", duration=45)
    at("starts_now", 0, "12:00")
    at("this_afternoon", 0, "15:00")
    at("last_day_late", 7, "23:30")
    at("day_after_the_window", 8, "08:00")
    at("yesterday", -1, "15:00")
    at("tomorrow_confirmed_with_intake", 1, "09:00", status="confirmed", intake_status="completed")
    at("tomorrow_confirmed_no_form", 1, "10:00", status="confirmed", intake_status="not_sent")
    at("tomorrow_form_sent", 1, "11:00", status="confirmed", intake_status="sent")
    at("tomorrow_form_skipped", 1, "12:00", status="confirmed", intake_status="skipped")
    at("tomorrow_cancelled", 1, "13:00", status="cancelled", intake_status="not_sent")
    flag = {"needs_attention": True, "attention_reason": "Call about insurance"}
    ready = {"status": "confirmed", "intake_status": "completed"}
    at("flagged_ready", 2, "09:00", **ready, **flag)
    at("flagged_arrived", 0, "13:00", status="arrived", intake_status="completed", **flag)
    at("flagged_begun", 0, "10:00", **ready, **flag)
    at("flagged_beyond", 8, "10:00", **ready, **flag)


NEEDING_ATTENTION = {
    "flagged_ready",
    "starts_now",
    "this_afternoon",
    "last_day_late",
    "tomorrow_confirmed_no_form",
    "tomorrow_form_sent",
}


def test_needing_attention_runs_from_now_to_the_end_of_the_windows_last_day(around_now):
    assert attention() == NEEDING_ATTENTION


def test_the_window_is_a_parameter(around_now):
    assert attention(days=0) == {"starts_now", "this_afternoon"}
    assert attention(days=8) == NEEDING_ATTENTION | {"day_after_the_window", "flagged_beyond"}


def test_without_required_intake_only_unconfirmed_visits_need_attention(clinic, around_now):
    clinic_rules(clinic, intake_required=False)

    assert attention() == {"flagged_ready", "starts_now", "this_afternoon", "last_day_late"}


def test_a_visit_flagged_by_staff_needs_attention_while_open_and_ahead(around_now):
    """``needs_attention`` is the staff's own flag; it counts for an open visit in
    the window, like every other reason, and not for one that began or is beyond."""
    flagged = {a.visit_reason for a in Appointment.objects.filter(needs_attention=True)}

    assert attention() & flagged == {"flagged_ready"}


def test_now_is_read_on_the_clinics_clock(around_now):
    """At 23:30 on Sunday in New York it is already Monday in UTC: the window's
    first day is the clinic's Sunday, so Monday + 7 is beyond it."""
    sunday_night = datetime.combine(MONDAY - timedelta(days=1), time(23, 30), tzinfo=NY)

    assert "last_day_late" not in attention(now=sunday_night)
    assert "this_afternoon" in attention(now=sunday_night)


@pytest.mark.parametrize("now", [NOW.astimezone(UTC), timezone.now(), datetime(2030, 1, 7, 12)])
def test_needing_attention_refuses_a_moment_not_on_a_clinic_clock(now):
    """A UTC (or naive) "now" would put the window on the wrong day around midnight."""
    with pytest.raises(TypeError, match="clinic_now"):
        Appointment.objects.needing_attention(now=now)


# visible_to -------------------------------------------------------------------------------


@pytest.fixture
def booked(doctor, other_doctor, patient, outsider_doctor, outsider_patient):
    return {
        "chens": appointment(doctor, patient, at="09:00"),
        "patels": appointment(other_doctor, patient, at="10:00"),
        "uptown": appointment(outsider_doctor, outsider_patient, at="11:00"),
    }


VISIBLE = {
    "admin": {"chens", "patels"},
    "doctor": {"chens"},
    "other_doctor": {"patels"},
    "owner": set(),
    "outsider_admin": {"uptown"},
}


def names(rows, queryset) -> set[str]:
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, row in rows.items() if row.pk in ids}


@pytest.mark.parametrize(("persona", "expected"), VISIBLE.items())
def test_appointments_visible_to_each_role(request, booked, persona, expected):
    user = request.getfixturevalue(persona)

    assert names(booked, Appointment.objects.visible_to(user)) == expected


@pytest.mark.parametrize(("persona", "expected"), {**VISIBLE, "owner": {"chens", "patels"}}.items())
def test_counts_only_lets_owners_count_the_clinics_appointments(request, booked, persona, expected):
    """The metrics: owners count every appointment of the clinic and read none."""
    user = request.getfixturevalue(persona)

    assert names(booked, Appointment.objects.visible_to(user, counts_only=True)) == expected


def test_a_doctor_account_without_a_profile_sees_no_appointment(clinic, booked):
    user = UserFactory(clinic=clinic, role=Role.DOCTOR)

    assert not Appointment.objects.visible_to(user).exists()


@pytest.mark.parametrize(("persona", "expected"), VISIBLE.items())
def test_cancellations_visible_to_each_role(request, booked, persona, expected):
    cancelled = {name: CancellationFactory(appointment=row) for name, row in booked.items()}
    user = request.getfixturevalue(persona)

    assert names(cancelled, Cancellation.objects.visible_to(user)) == expected
