"""Double booking under load, on PostgreSQL: of N simultaneous bookings of one slot
exactly one succeeds, and the database itself refuses an overlap that slips past."""

import threading
from collections import Counter
from datetime import time

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from scheduling import services
from scheduling.models import Appointment
from tests.factories import PatientFactory
from tests.scheduling.helpers import (
    MONDAY,
    appointment,
    appointment_url,
    assert_error,
    book,
    doctor_rules,
)

pytestmark = pytest.mark.postgres

RACERS = 20


def race(token: str, attempt) -> list:
    """Runs ``attempt(client)`` in RACERS threads released together; each thread has
    its own database connection. Returns (status, body) or the exception of each."""
    barrier = threading.Barrier(RACERS)
    results = []
    lock = threading.Lock()

    def run(i):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=token)
            barrier.wait(timeout=30)
            response = attempt(client, i)
            outcome = (response.status_code, response.json())
        except Exception as exc:
            outcome = (type(exc).__name__, str(exc))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == RACERS, results
    return results


def token_of(client) -> str:
    return client._credentials["HTTP_AUTHORIZATION"]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_bookings_of_one_slot_yield_one_appointment(api, admin, clinic, doctor):
    patients = PatientFactory.create_batch(RACERS, clinic=clinic)

    results = race(
        token_of(api(admin)),
        lambda client, i: book(client, doctor=doctor, patient=patients[i], start_time="10:00"),
    )

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: RACERS - 1}, results
    assert {body["code"] for status, body in results if status == 409} == {"slot_conflict"}
    assert Appointment.objects.filter(doctor=doctor.doctor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reschedules_into_one_slot_move_one_appointment(api, admin, clinic, doctor):
    doctor_rules(doctor, working_hours_override={"start": "08:00", "end": "18:00"})
    visits = [
        appointment(
            doctor,
            PatientFactory(clinic=clinic),
            at=f"{8 + i // 4:02d}:{(i % 4) * 15:02d}",
            duration=15,
        )
        for i in range(RACERS)
    ]

    results = race(
        token_of(api(admin)),
        lambda client, i: client.post(
            appointment_url(visits[i], "reschedule"),
            {"new_date": "2030-01-07", "new_time": "16:00"},
        ),
    )

    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: RACERS - 1}, results
    assert Appointment.objects.filter(start_time=time(16, 0)).count() == 1


# The database's own guard -------------------------------------------------------------------


def test_the_database_refuses_an_overlapping_live_appointment(doctor, patient, other_patient):
    appointment(doctor, patient, at="10:00", duration=30)

    with (
        pytest.raises(IntegrityError, match="scheduling_appointment_no_overlap"),
        transaction.atomic(),
    ):
        appointment(doctor, other_patient, at="10:15", duration=30)

    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"overlap_allowed": True},
        {"status": "cancelled"},
        {"status": "no_show"},
    ],
)
def test_the_database_accepts_allowed_or_dead_overlaps(doctor, patient, other_patient, overrides):
    appointment(doctor, patient, at="10:00", duration=30)

    appointment(doctor, other_patient, at="10:00", duration=30, **overrides)

    assert Appointment.objects.count() == 2


def test_the_database_accepts_back_to_back_and_other_doctors(
    doctor, other_doctor, patient, other_patient
):
    appointment(doctor, patient, at="10:00", duration=30)

    appointment(doctor, other_patient, at="10:30", duration=30)
    appointment(other_doctor, other_patient, at="10:00", duration=30)

    assert Appointment.objects.count() == 3


def test_the_database_refuses_reviving_a_cancelled_overlap(doctor, patient, other_patient):
    appointment(doctor, patient, at="10:00", duration=30)
    dead = appointment(doctor, other_patient, at="10:00", duration=30, status="cancelled")

    dead.status = "confirmed"
    with (
        pytest.raises(IntegrityError, match="scheduling_appointment_no_overlap"),
        transaction.atomic(),
    ):
        dead.save()


def test_an_overlap_missed_by_the_service_is_still_a_409(
    api, admin, doctor, patient, other_patient, monkeypatch
):
    appointment(doctor, other_patient, day=MONDAY, at="10:00")
    monkeypatch.setattr(services, "_claim_time", lambda **kwargs: False)

    response = book(api(admin), doctor=doctor, patient=patient, start_time="10:15")

    assert_error(response, 409, "slot_conflict")
    assert Appointment.objects.count() == 1
