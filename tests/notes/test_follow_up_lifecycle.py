"""A follow-up's life through the front desk: a doctor asks, an admin books it
(``follow_up_id`` on POST /api/appointments, one transaction), and the visit's end
completes it, or its cancellation hands it back to the queue."""

import uuid
from datetime import timedelta

import pytest

from notes.models import FollowUp
from patients.models import DoctorPatientRelationship
from scheduling.models import Appointment
from tests.factories import FollowUpFactory, PatientFactory
from tests.scheduling.helpers import (
    MONDAY,
    SATURDAY,
    TUESDAY,
    appointment,
    appointment_url,
    assert_error,
    assert_field_error,
    book,
)

FOLLOW_UPS = "/api/follow-ups/"
NEEDS_ATTENTION = "/api/dashboard/admin/needs-attention/"


def ask(api, doctor, patient, due="2030-01-07", note="See again in a week.") -> dict:
    """The doctor asks for a follow-up through the API."""
    response = api(doctor).post(
        FOLLOW_UPS, {"patient_id": str(patient.pk), "scheduled_date": due, "note": note}
    )
    assert response.status_code == 201, response.content
    return response.json()


def state(follow_up_id) -> tuple[str, uuid.UUID | None]:
    row = FollowUp.objects.get(pk=follow_up_id)
    return row.status, row.follow_up_appointment_id


def listed(client, **params) -> dict[str, dict]:
    response = client.get(FOLLOW_UPS, params)
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


@pytest.fixture
def requested(api, doctor, patient) -> str:
    """A pending follow-up Dr. Chen asked for Ann Smith."""
    return ask(api, doctor, patient)["id"]


def test_booking_for_a_follow_up_schedules_it(api, admin, doctor, patient, requested):
    desk = api(admin)
    assert requested in listed(desk)

    response = book(desk, doctor=doctor, patient=patient, follow_up_id=requested)

    assert response.status_code == 201, response.content
    booked = response.json()["id"]
    assert state(requested) == ("scheduled", uuid.UUID(booked))
    assert requested not in listed(desk)
    row = listed(desk, status="scheduled")[requested]
    assert row["status"] == "scheduled"
    assert row["follow_up_appointment_id"] == booked
    assert row["follow_up_appointment"] == {
        "id": booked,
        "date": "2030-01-07",
        "time": "10:00",
        "status": "unconfirmed",
    }
    assert listed(api(doctor))[requested]["status"] == "scheduled"


def test_completing_the_booked_visit_completes_the_follow_up(
    api, admin, doctor, patient, requested, freeze
):
    booked = book(api(admin), doctor=doctor, patient=patient, follow_up_id=requested).json()["id"]
    freeze(MONDAY, "09:55")
    desk = api(admin)

    for status in ("arrived", "in_progress"):
        response = desk.put(appointment_url(booked), {"status": status})
        assert response.status_code == 200, response.content
        assert state(requested) == ("scheduled", uuid.UUID(booked))
    done = desk.put(appointment_url(booked), {"status": "completed"})

    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    assert state(requested) == ("completed", uuid.UUID(booked))
    assert listed(api(doctor))[requested]["status"] == "completed"


def test_cancelling_the_booked_visit_hands_the_follow_up_back_to_the_queue(
    api, admin, doctor, patient, requested
):
    desk = api(admin)
    booked = book(desk, doctor=doctor, patient=patient, follow_up_id=requested).json()["id"]

    response = desk.post(
        appointment_url(booked, "cancel"), {"reason": "patient_cancelled", "note": "Flu."}
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert state(requested) == ("pending", None)
    row = listed(desk)[requested]
    assert row["follow_up_appointment_id"] is None
    assert row["follow_up_appointment"] is None
    # ... and it can be booked again.
    again = book(desk, doctor=doctor, patient=patient, follow_up_id=requested, start_time="11:00")
    assert again.status_code == 201, again.content
    assert state(requested) == ("scheduled", uuid.UUID(again.json()["id"]))


def test_a_missed_booked_visit_hands_the_follow_up_back_to_the_queue(
    api, admin, doctor, patient, requested, freeze
):
    booked = book(api(admin), doctor=doctor, patient=patient, follow_up_id=requested).json()["id"]
    freeze(MONDAY, "10:30")

    response = api(admin).post(appointment_url(booked, "cancel"), {"reason": "no_show"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "no_show"
    assert state(requested) == ("pending", None)


def test_rescheduling_the_booked_visit_keeps_the_follow_up_scheduled(
    api, admin, doctor, patient, requested
):
    desk = api(admin)
    booked = book(desk, doctor=doctor, patient=patient, follow_up_id=requested).json()["id"]

    response = desk.post(
        appointment_url(booked, "reschedule"), {"new_date": "2030-01-08", "new_time": "11:00"}
    )

    assert response.status_code == 200, response.content
    assert state(requested) == ("scheduled", uuid.UUID(booked))
    assert listed(desk, status="scheduled")[requested]["follow_up_appointment"]["date"] == (
        "2030-01-08"
    )


def test_a_follow_up_the_doctor_moves_back_to_pending_returns_to_the_front_desk_queue(
    api, admin, doctor, patient, requested, freeze
):
    """Pending means "still to book": like a cancelled visit, the doctor's
    scheduled -> pending hands the follow-up back to the needs-attention queue."""
    freeze(MONDAY - timedelta(days=2), "09:00")
    desk = api(admin)
    assert book(desk, doctor=doctor, patient=patient, follow_up_id=requested).status_code == 201

    back = api(doctor).put(f"{FOLLOW_UPS}{requested}/", {"status": "pending"})
    queue = desk.get(NEEDS_ATTENTION)

    assert back.status_code == 200, back.content
    assert back.json()["status"] == "pending"
    assert queue.status_code == 200, queue.content
    queued = [item["follow_up_id"] for item in queue.json()["pending_follow_ups"]]
    assert requested in queued
    assert queue.json()["counts"]["pending_follow_ups"] == len(listed(desk)) == 1


def test_the_visit_a_follow_up_was_asked_in_does_not_move_it(api, admin, doctor, patient, freeze):
    """Completing the *source* visit leaves the follow-up pending: only the visit
    that fulfils it counts."""
    freeze(MONDAY, "09:00")
    source = appointment(doctor, patient, day=MONDAY, at="09:30", status="in_progress")
    response = api(doctor).post(
        FOLLOW_UPS,
        {
            "patient_id": str(patient.pk),
            "appointment_id": str(source.pk),
            "scheduled_date": "2030-02-04",
        },
    )
    assert response.status_code == 201, response.content

    done = api(admin).put(appointment_url(source), {"status": "completed"})

    assert done.status_code == 200, done.content
    assert state(response.json()["id"]) == ("pending", None)


# Refused bookings leave the follow-up as it was ----------------------------------------


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"start_time": "10:15"}, 409),  # Dr. Chen is booked 10:00-10:30
        ({"scheduled_date": SATURDAY}, 400),  # closed
        ({"start_time": "20:00"}, 400),  # after hours
        ({"visit_type": "house_call"}, 400),
    ],
)
def test_a_refused_booking_leaves_the_follow_up_pending(
    api, admin, doctor, patient, requested, overrides, status
):
    appointment(doctor, PatientFactory(clinic=patient.clinic), day=MONDAY, at="10:00")
    before = Appointment.objects.count()

    response = book(api(admin), doctor=doctor, patient=patient, follow_up_id=requested, **overrides)

    assert response.status_code == status, response.content
    assert state(requested) == ("pending", None)
    assert Appointment.objects.count() == before


def test_booking_with_another_patients_follow_up_gets_400_and_books_nothing(
    api, admin, doctor, other_doctor, patient, shared_patient
):
    """The appointment, the doctor-patient link and the follow-up change together or not at all."""
    theirs = ask(api, doctor, shared_patient)["id"]

    response = book(api(admin), doctor=other_doctor, patient=patient, follow_up_id=theirs)

    assert_field_error(response, "follow_up_id")
    assert state(theirs) == ("pending", None)
    assert not Appointment.objects.exists()
    assert not DoctorPatientRelationship.objects.filter(
        doctor=other_doctor.doctor, patient=patient
    ).exists()


@pytest.mark.parametrize("status", ["scheduled", "completed", "cancelled"])
def test_booking_with_a_follow_up_that_is_not_pending_gets_409_and_books_nothing(
    api, admin, doctor, patient, status
):
    taken = FollowUpFactory(doctor=doctor.doctor, patient=patient, status=status)

    response = book(api(admin), doctor=doctor, patient=patient, follow_up_id=str(taken.pk))

    assert_error(response, 409, "follow_up_not_pending")
    taken.refresh_from_db()
    assert taken.status == status
    assert not Appointment.objects.exists()


def test_booking_one_follow_up_twice_gets_409_the_second_time(
    api, admin, doctor, patient, requested
):
    desk = api(admin)
    first = book(desk, doctor=doctor, patient=patient, follow_up_id=requested)

    second = book(desk, doctor=doctor, patient=patient, follow_up_id=requested, start_time="11:00")

    assert first.status_code == 201, first.content
    assert_error(second, 409, "follow_up_not_pending")
    assert state(requested) == ("scheduled", uuid.UUID(first.json()["id"]))
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("which", ["another_clinic", "unknown", "malformed"])
def test_booking_with_a_follow_up_the_clinic_does_not_have_gets_400(
    api, admin, doctor, patient, outsider_doctor, outsider_patient, which
):
    values = {
        "another_clinic": lambda: str(
            FollowUpFactory(doctor=outsider_doctor.doctor, patient=outsider_patient).pk
        ),
        "unknown": lambda: str(uuid.uuid4()),
        "malformed": lambda: "follow-up-1",
    }

    response = book(api(admin), doctor=doctor, patient=patient, follow_up_id=values[which]())

    assert_field_error(response, "follow_up_id")
    assert not Appointment.objects.exists()
    assert FollowUp.objects.filter(status="scheduled").count() == 0


def test_booking_a_follow_up_with_another_doctor_is_allowed(
    api, admin, other_doctor, doctor, patient, requested
):
    """The front desk may book the follow-up with whichever doctor is free."""
    response = book(
        api(admin),
        doctor=other_doctor,
        patient=patient,
        follow_up_id=requested,
        scheduled_date=TUESDAY,
    )

    assert response.status_code == 201, response.content
    assert state(requested) == ("scheduled", uuid.UUID(response.json()["id"]))
    assert listed(api(doctor))[requested]["follow_up_appointment"]["date"] == "2030-01-08"
