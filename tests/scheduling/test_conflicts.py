"""Overlaps: a doctor's live appointments never overlap unless the clinic allows it."""

import pytest

from patients.models import DoctorPatientRelationship
from scheduling.models import Appointment
from tests.scheduling.helpers import (
    MONDAY,
    SATURDAY,
    TUESDAY,
    appointment,
    appointment_url,
    assert_error,
    assert_field_error,
    book,
    clinic_rules,
    doctor_rules,
    local,
)


@pytest.fixture
def taken(doctor, other_patient):
    """Dr. Chen is booked Monday 10:00-10:30."""
    return appointment(doctor, other_patient, day=MONDAY, at="10:00", duration=30)


@pytest.mark.parametrize(
    ("start_time", "duration"),
    [
        ("10:00", 30),  # exact
        ("10:15", 30),  # starts inside
        ("09:45", 30),  # ends inside
        ("10:00", 15),  # inside
        ("10:15", 15),  # inside, ends together
        ("09:30", 60),  # contains it
        ("09:45", 45),  # contains it, ends together
    ],
)
def test_overlapping_booking_is_a_slot_conflict(
    api, admin, doctor, patient, taken, start_time, duration
):
    response = book(
        api(admin), doctor=doctor, patient=patient, start_time=start_time, duration=duration
    )

    body = assert_error(response, 409, "slot_conflict")
    assert body["conflicting_appointment_id"] == str(taken.id)
    assert body["conflicting_time"] == "10:00-10:30"
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(("start_time", "duration"), [("10:30", 30), ("09:30", 30), ("09:00", 60)])
def test_back_to_back_booking_is_allowed(api, admin, doctor, patient, taken, start_time, duration):
    response = book(
        api(admin), doctor=doctor, patient=patient, start_time=start_time, duration=duration
    )

    assert response.status_code == 201, response.content
    assert response.json()["overlap_allowed"] is False


@pytest.mark.parametrize(
    "status", ["unconfirmed", "confirmed", "arrived", "in_progress", "completed"]
)
def test_every_live_status_holds_the_slot(api, admin, doctor, patient, other_patient, status):
    appointment(doctor, other_patient, at="10:00", status=status)

    response = book(api(admin), doctor=doctor, patient=patient)

    assert_error(response, 409, "slot_conflict")


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_cancelled_and_no_show_appointments_do_not_block(
    api, admin, doctor, patient, other_patient, status
):
    appointment(doctor, other_patient, at="10:00", status=status)

    response = book(api(admin), doctor=doctor, patient=patient)

    assert response.status_code == 201, response.content
    assert response.json()["overlap_allowed"] is False


def test_cancelling_through_the_api_frees_the_slot(api, admin, doctor, patient, other_patient):
    client = api(admin)
    first = book(client, doctor=doctor, patient=other_patient).json()
    client.post(appointment_url(first["id"], "cancel"), {"reason": "patient_cancelled"})

    response = book(client, doctor=doctor, patient=patient)

    assert response.status_code == 201, response.content


def test_another_doctor_at_the_same_time_is_allowed(api, admin, other_doctor, patient, taken):
    response = book(api(admin), doctor=other_doctor, patient=patient)

    assert response.status_code == 201, response.content
    assert response.json()["overlap_allowed"] is False


def test_a_patient_may_be_booked_with_two_doctors_at_once(
    api, admin, doctor, other_doctor, patient
):
    client = api(admin)

    first = book(client, doctor=doctor, patient=patient)
    second = book(client, doctor=other_doctor, patient=patient)

    assert (first.status_code, second.status_code) == (201, 201)


def test_admin_can_force_an_overlap_where_the_clinic_allows_override(
    api, admin, doctor, patient, taken
):
    response = book(api(admin), doctor=doctor, patient=patient, force=True)

    assert response.status_code == 201, response.content
    assert response.json()["overlap_allowed"] is True
    assert Appointment.objects.filter(doctor=doctor.doctor, overlap_allowed=True).count() == 1


def test_force_is_refused_where_the_clinic_forbids_override(
    api, admin, clinic, doctor, patient, taken
):
    clinic_rules(clinic, allow_admin_override=False)

    response = book(api(admin), doctor=doctor, patient=patient, force=True)

    assert_error(response, 409, "slot_conflict")
    assert Appointment.objects.count() == 1


def test_force_is_refused_for_a_doctor_who_takes_no_double_bookings(
    api, admin, doctor, patient, taken
):
    doctor_rules(doctor, allow_forced_booking=False)

    response = book(api(admin), doctor=doctor, patient=patient, force=True)

    assert_error(response, 409, "slot_conflict")


def test_force_on_a_free_slot_is_an_ordinary_booking(api, admin, doctor, patient):
    response = book(api(admin), doctor=doctor, patient=patient, force=True)

    assert response.status_code == 201, response.content
    assert response.json()["overlap_allowed"] is False


def test_a_clinic_that_allows_overlapping_books_without_force(
    api, admin, clinic, doctor, patient, taken
):
    clinic_rules(clinic, allow_overlapping=True)

    response = book(api(admin), doctor=doctor, patient=patient, start_time="10:15")

    assert response.status_code == 201, response.content
    assert response.json()["overlap_allowed"] is True


def test_force_does_not_bypass_the_other_booking_rules(api, admin, doctor, patient, taken):
    response = book(api(admin), doctor=doctor, patient=patient, force=True, scheduled_date=SATURDAY)

    assert_error(response, 400, "closed_day")


# Rescheduling -------------------------------------------------------------------------------


def reschedule(client, appt, **body):
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items()}
    return client.post(appointment_url(appt, "reschedule"), body)


@pytest.fixture
def visit(doctor, patient):
    """Ann Smith with Dr. Chen, Monday 14:00-14:30."""
    return appointment(doctor, patient, day=MONDAY, at="14:00", duration=30)


def test_admin_reschedules_a_visit(api, admin, doctor, visit):
    response = reschedule(api(admin), visit, new_date=TUESDAY, new_time="11:00")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["scheduled_date"], body["start_time"], body["end_time"]) == (
        "2030-01-08",
        "11:00",
        "11:30",
    )
    visit.refresh_from_db()
    assert visit.starts_at == local(TUESDAY, "11:00")
    assert visit.ends_at == local(TUESDAY, "11:30")
    assert visit.doctor == doctor.doctor


def test_rescheduling_into_a_taken_slot_is_a_conflict(api, admin, visit, taken):
    response = reschedule(api(admin), visit, new_date=MONDAY, new_time="10:15")

    body = assert_error(response, 409, "slot_conflict")
    assert body["conflicting_appointment_id"] == str(taken.id)
    visit.refresh_from_db()
    assert visit.start_time.isoformat(timespec="minutes") == "14:00"


@pytest.mark.parametrize("new_time", ["14:15", "13:45", "14:00"])
def test_rescheduling_within_its_own_slot_is_allowed(api, admin, visit, new_time):
    response = reschedule(api(admin), visit, new_date=MONDAY, new_time=new_time)

    assert response.status_code == 200, response.content
    assert response.json()["start_time"] == new_time
    assert response.json()["overlap_allowed"] is False


def test_rescheduling_back_to_back_is_allowed(api, admin, visit, taken):
    response = reschedule(api(admin), visit, new_date=MONDAY, new_time="10:30")

    assert response.status_code == 200, response.content


def test_rescheduling_can_be_forced_into_a_taken_slot(api, admin, visit, taken):
    response = reschedule(api(admin), visit, new_date=MONDAY, new_time="10:00", force=True)

    assert response.status_code == 200, response.content
    assert response.json()["overlap_allowed"] is True


def test_a_forced_overlap_is_cleared_when_moved_to_a_free_slot(api, admin, visit, taken):
    client = api(admin)
    reschedule(client, visit, new_date=MONDAY, new_time="10:00", force=True)

    response = reschedule(client, visit, new_date=MONDAY, new_time="15:00")

    assert response.status_code == 200, response.content
    assert response.json()["overlap_allowed"] is False


def test_rescheduling_can_change_the_duration(api, admin, visit):
    response = reschedule(api(admin), visit, new_date=MONDAY, new_time="14:00", duration=60)

    assert response.status_code == 200, response.content
    assert (response.json()["duration"], response.json()["end_time"]) == (60, "15:00")


def test_rescheduling_to_another_doctor_links_that_doctor(api, admin, other_doctor, patient, visit):
    response = reschedule(
        api(admin),
        visit,
        new_date=MONDAY,
        new_time="14:00",
        new_doctor_id=str(other_doctor.doctor.id),
    )

    assert response.status_code == 200, response.content
    assert response.json()["doctor_id"] == str(other_doctor.doctor.id)
    link = DoctorPatientRelationship.objects.get(doctor=other_doctor.doctor, patient=patient)
    assert link.first_visit_date == local(MONDAY, "14:00")
    assert api(other_doctor).get(appointment_url(visit)).status_code == 200


def test_rescheduling_to_another_doctor_checks_that_doctors_slots(
    api, admin, other_doctor, other_patient, visit
):
    appointment(other_doctor, other_patient, day=TUESDAY, at="09:00")

    response = reschedule(
        api(admin),
        visit,
        new_date=TUESDAY,
        new_time="09:00",
        new_doctor_id=str(other_doctor.doctor.id),
    )

    assert_error(response, 409, "slot_conflict")


def test_rescheduling_to_another_clinics_doctor_names_the_field(api, admin, visit, outsider_doctor):
    response = reschedule(
        api(admin), visit, new_date=TUESDAY, new_time="09:00", new_doctor_id=str(outsider_doctor.id)
    )

    assert_field_error(response, "new_doctor_id", "Unknown doctor.")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"new_date": SATURDAY, "new_time": "10:00"}, "closed_day"),
        ({"new_date": MONDAY, "new_time": "08:00"}, "outside_hours"),
        ({"new_date": MONDAY, "new_time": "16:45"}, "outside_hours"),
    ],
)
def test_rescheduling_obeys_the_booking_rules(api, admin, visit, body, code):
    assert_error(reschedule(api(admin), visit, **body), 400, code)


def test_rescheduling_into_the_past_is_refused(api, admin, visit, freeze):
    freeze(MONDAY, "12:00")

    response = reschedule(api(admin), visit, new_date=MONDAY, new_time="11:00")

    assert_error(response, 400, "in_past")


def test_rescheduling_to_a_doctor_who_does_not_offer_the_visit_type_is_refused(
    api, admin, other_doctor, visit
):
    visit.visit_type = "virtual"
    visit.save()
    doctor_rules(other_doctor, supported_visit_types=["in_clinic"])

    response = reschedule(
        api(admin),
        visit,
        new_date=MONDAY,
        new_time="14:00",
        new_doctor_id=str(other_doctor.doctor.id),
    )

    assert_error(response, 400, "visit_type_not_offered")


@pytest.mark.parametrize("status", ["arrived", "in_progress", "completed", "cancelled", "no_show"])
def test_a_visit_that_began_or_ended_cannot_be_rescheduled(api, admin, visit, status):
    visit.status = status
    visit.save()

    response = reschedule(api(admin), visit, new_date=TUESDAY, new_time="09:00")

    assert_error(response, 409, "invalid_transition")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"new_time": "10:00"}, "new_date"),
        ({"new_date": "2030-01-08"}, "new_time"),
        ({"new_date": "tomorrow", "new_time": "10:00"}, "new_date"),
        ({"new_date": "2030-01-08", "new_time": "25:00"}, "new_time"),
        ({"new_date": "2030-01-08", "new_time": "10:00", "duration": 20}, "duration"),
        ({"new_date": "2030-01-08", "new_time": "10:00", "new_doctor_id": "nope"}, "new_doctor_id"),
    ],
)
def test_malformed_reschedule_is_a_400_naming_the_field(api, admin, visit, body, field):
    assert_field_error(api(admin).post(appointment_url(visit, "reschedule"), body), field)
