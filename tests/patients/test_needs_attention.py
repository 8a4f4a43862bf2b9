"""``GET /api/patients?needs_attention=true`` and the Needs Attention Queue
(``GET /api/dashboard/admin/needs-attention``) read one definition
(``Appointment.objects.needing_attention``): a patient is flagged exactly when one of
their visits is in the queue's default window, from now to seven days ahead.

The ``?needs_attention`` filter's own cases (roles, clinics, intake rules) are in
tests/scheduling/test_patient_history.py."""

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from tests.factories import AppointmentFactory, PatientFactory
from tests.scheduling.helpers import MONDAY, NY

PATIENTS = "/api/patients/"
NEEDS_ATTENTION = "/api/dashboard/admin/needs-attention/"
QUEUE_LISTS = ("unconfirmed_appointments", "missing_intake", "flagged_appointments")


@pytest.fixture(autouse=True)
def now(monkeypatch):
    """Monday 12:00 in New York (sign in after this: sessions expire from "now")."""
    moment = datetime.combine(MONDAY, time(12), tzinfo=NY).astimezone(UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    return moment


def flagged_patients(client) -> set[str]:
    response = client.get(PATIENTS, {"needs_attention": "true", "page_size": 100})
    assert response.status_code == 200, response.content
    assert response.json()["next"] is None
    return {row["id"] for row in response.json()["results"]}


def queued_patients(client, **params) -> set[str]:
    response = client.get(NEEDS_ATTENTION, params)
    assert response.status_code == 200, response.content
    body = response.json()
    return {item["patient"]["id"] for key in QUEUE_LISTS for item in body[key]}


def visit(doctor, offset: int, at: str, *, status="unconfirmed", intake="completed", **kwargs):
    """The one visit of a new patient, ``offset`` days from Monday."""
    patient = PatientFactory(clinic=doctor.clinic)
    return AppointmentFactory(
        doctor=doctor.doctor,
        patient=patient,
        scheduled_date=MONDAY + timedelta(days=offset),
        start_time=time.fromisoformat(at),
        status=status,
        intake_status=intake,
        **kwargs,
    )


def test_a_visit_that_began_earlier_today_is_in_neither_the_queue_nor_the_filter(
    api, admin, doctor
):
    """Unconfirmed at 09:00 and now 12:00: confirming it is no longer the front
    desk's job (the no-show rule or a check-in settles it)."""
    visit(doctor, 0, "09:00")
    client = api(admin)

    assert queued_patients(client) == set()
    assert flagged_patients(client) == set()


def test_a_visit_later_today_is_in_both(api, admin, doctor):
    later = visit(doctor, 0, "15:00")
    client = api(admin)

    assert queued_patients(client) == {str(later.patient_id)}
    assert flagged_patients(client) == {str(later.patient_id)}


def test_a_visit_on_the_last_day_of_the_window_is_in_both(api, admin, doctor):
    last_day = visit(doctor, 7, "16:00", status="confirmed", intake="sent")
    client = api(admin)

    assert queued_patients(client) == {str(last_day.patient_id)}
    assert flagged_patients(client) == {str(last_day.patient_id)}


def test_a_visit_a_day_beyond_the_window_is_in_neither(api, admin, doctor):
    beyond = visit(doctor, 8, "09:00", intake="not_sent")
    client = api(admin)

    assert queued_patients(client) == set()
    assert flagged_patients(client) == set()
    assert queued_patients(client, days=8) == {str(beyond.patient_id)}


def test_a_visit_flagged_by_staff_is_in_both(api, admin, doctor):
    """Confirmed, intake in: only the front desk's flag makes it need attention."""
    flagged = visit(
        doctor, 2, "10:00", status="confirmed", needs_attention=True, attention_reason="Interpreter"
    )
    visit(doctor, 2, "11:00", status="confirmed")
    client = api(admin)

    assert queued_patients(client) == {str(flagged.patient_id)}
    assert flagged_patients(client) == {str(flagged.patient_id)}


def test_the_filter_flags_exactly_the_patients_of_the_queue(api, admin, doctor, other_doctor):
    """Visits scattered from yesterday to ten days ahead, at every hour, in every
    state: the two endpoints name the same patients."""
    rng = random.Random(11)
    for who in (doctor, other_doctor):
        for offset in range(-1, 11):
            for at in rng.sample(["08:00", "11:30", "12:00", "12:30", "17:00"], 2):
                visit(
                    who,
                    offset,
                    at,
                    status=rng.choice(["unconfirmed", "confirmed", "arrived", "cancelled"]),
                    intake=rng.choice(["not_sent", "sent", "completed", "skipped"]),
                    needs_attention=rng.random() < 0.2,
                )
    client = api(admin)

    queued = queued_patients(client)

    assert 10 < len(queued) < 50  # the queue's lists are not cut short
    assert flagged_patients(client) == queued
