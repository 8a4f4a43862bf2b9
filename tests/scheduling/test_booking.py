"""POST /api/appointments: admins book visits inside the clinic's rules."""

import uuid

import pytest

from patients.models import DoctorPatientRelationship
from scheduling.models import Appointment
from tests.scheduling.helpers import (
    ALL_DAYS_OPEN,
    MONDAY,
    SATURDAY,
    SPRING_FORWARD,
    SUNDAY,
    TUESDAY,
    appointment,
    assert_error,
    assert_field_error,
    book,
    clinic_rules,
    doctor_rules,
    local,
    parse,
)

APPOINTMENT_KEYS = {
    "id",
    "clinic_id",
    "doctor_id",
    "patient_id",
    "doctor",
    "patient",
    "scheduled_date",
    "start_time",
    "end_time",
    "duration",
    "starts_at",
    "ends_at",
    "visit_type",
    "visit_category",
    "status",
    "arrived",
    "arrived_at",
    "visit_reason",
    "intake_status",
    "intake_path",
    "intake_form_id",
    "needs_attention",
    "attention_reason",
    "meeting_link",
    "overlap_allowed",
    "created_by_id",
    "created_at",
    "updated_at",
}


def test_admin_books_an_appointment(api, admin, clinic, doctor, patient):
    response = book(api(admin), doctor=doctor, patient=patient)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == APPOINTMENT_KEYS
    assert body["clinic_id"] == str(clinic.id)
    assert body["doctor_id"] == str(doctor.doctor.id)
    assert body["patient_id"] == str(patient.id)
    assert body["doctor"]["name"] == "Dr. Chen"
    assert body["patient"] == {"id": str(patient.id), "name": "Ann Smith"}
    assert (body["scheduled_date"], body["start_time"], body["end_time"]) == (
        "2030-01-07",
        "10:00",
        "10:30",
    )
    assert body["duration"] == 30
    assert parse(body["starts_at"]) == local(MONDAY, "10:00")
    assert parse(body["ends_at"]) == local(MONDAY, "10:30")
    assert body["status"] == "unconfirmed"
    assert body["visit_type"] == "in_clinic"
    assert body["visit_reason"] == "Persistent cough"
    assert body["overlap_allowed"] is False
    assert body["created_by_id"] == str(admin.id)
    saved = Appointment.objects.get(pk=body["id"])
    assert saved.starts_at == local(MONDAY, "10:00")
    assert saved.created_by == admin


@pytest.mark.parametrize(
    "start_time", ["17:45:37.470Z", "10:00:00", "9:30", "10:00+01:00", "24:00"]
)
def test_booking_time_that_is_not_hh_mm_is_400(api, admin, doctor, patient, start_time):
    """Times are the clinic's wall clock as HH:MM, as the schema's pattern says."""
    response = book(api(admin), doctor=doctor, patient=patient, start_time=start_time)

    assert_field_error(response, "start_time")


def test_booking_answers_without_a_trailing_slash(api, admin, doctor, patient):
    client = api(admin)
    body = {
        "doctor_id": str(doctor.doctor.id),
        "patient_id": str(patient.id),
        "scheduled_date": "2030-01-07",
        "start_time": "10:00",
        "visit_type": "in_clinic",
    }

    response = client.post("/api/appointments", body)

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(("role", "status"), [("doctor", 403), ("owner", 403)])
def test_only_admins_book(api, request, role, status, doctor, patient):
    response = book(api(request.getfixturevalue(role)), doctor=doctor, patient=patient)

    assert_error(response, status, "forbidden_role")
    assert not Appointment.objects.exists()


def test_anonymous_cannot_book(anon, doctor, patient):
    assert_error(book(anon, doctor=doctor, patient=patient), 401, "not_authenticated")


def test_outsider_admin_cannot_book_our_doctor(api, outsider_admin, doctor, outsider_patient):
    response = book(api(outsider_admin), doctor=doctor, patient=outsider_patient)

    assert_field_error(response, "doctor_id", "Unknown doctor.")
    assert not Appointment.objects.exists()


def test_booking_another_clinics_doctor_names_doctor_id(api, admin, outsider_doctor, patient):
    response = book(api(admin), doctor=outsider_doctor, patient=patient)

    assert_field_error(response, "doctor_id", "Unknown doctor.")
    assert not Appointment.objects.exists()


def test_booking_another_clinics_patient_names_patient_id(api, admin, doctor, outsider_patient):
    response = book(api(admin), doctor=doctor, patient=outsider_patient)

    assert_field_error(response, "patient_id", "Unknown patient.")
    assert not Appointment.objects.exists()


# Refusals with a code -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_time", "duration"),
    [
        ("08:30", 30),  # starts before the clinic opens
        ("08:45", 30),  # starts before, ends inside
        ("16:45", 30),  # ends after the clinic closes
        ("16:30", 60),
        ("17:00", 15),  # starts at closing time
        ("23:45", 30),  # runs past midnight
    ],
)
def test_booking_outside_clinic_hours_is_refused(api, admin, doctor, patient, start_time, duration):
    response = book(
        api(admin), doctor=doctor, patient=patient, start_time=start_time, duration=duration
    )

    body = assert_error(response, 400, "outside_hours")
    assert body["working_hours"] == {"start": "09:00", "end": "17:00"}
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(("start_time", "duration"), [("09:00", 30), ("16:30", 30), ("16:00", 60)])
def test_booking_at_the_edges_of_clinic_hours_is_allowed(
    api, admin, doctor, patient, start_time, duration
):
    response = book(
        api(admin), doctor=doctor, patient=patient, start_time=start_time, duration=duration
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("start_time", ["09:00", "09:30", "13:45", "14:00"])
def test_doctor_hours_narrower_than_the_clinics_refuse_the_rest(
    api, admin, doctor, patient, start_time
):
    doctor_rules(doctor, working_hours_override={"start": "10:00", "end": "14:00"})

    response = book(api(admin), doctor=doctor, patient=patient, start_time=start_time)

    body = assert_error(response, 400, "outside_hours")
    assert body["working_hours"] == {"start": "10:00", "end": "14:00"}


def test_doctor_hours_wider_than_the_clinics_are_bookable(api, admin, doctor, patient):
    doctor_rules(doctor, working_hours_override={"start": "07:00", "end": "20:00"})

    early = book(api(admin), doctor=doctor, patient=patient, start_time="07:00")
    late = book(api(admin), doctor=doctor, patient=patient, start_time="19:30")

    assert early.status_code == 201, early.content
    assert late.status_code == 201, late.content


@pytest.mark.parametrize("day", [SATURDAY, SUNDAY])
def test_booking_on_a_closed_day_is_refused(api, admin, doctor, patient, day):
    response = book(api(admin), doctor=doctor, patient=patient, scheduled_date=day)

    assert_error(response, 400, "closed_day")


def test_booking_on_a_day_the_clinic_opened_is_allowed(api, admin, clinic, doctor, patient):
    clinic_rules(clinic, working_days=ALL_DAYS_OPEN)

    response = book(api(admin), doctor=doctor, patient=patient, scheduled_date=SATURDAY)

    assert response.status_code == 201, response.content


def test_booking_a_closed_weekday_is_refused(api, admin, clinic, doctor, patient):
    clinic_rules(clinic, working_days={**ALL_DAYS_OPEN, "monday": False})

    response = book(api(admin), doctor=doctor, patient=patient, scheduled_date=MONDAY)

    assert_error(response, 400, "closed_day")


@pytest.mark.parametrize("start_time", ["09:00", "11:00", "11:10"])
def test_booking_in_the_past_is_refused(api, admin, doctor, patient, freeze, start_time):
    freeze(MONDAY, "11:10")

    response = book(api(admin), doctor=doctor, patient=patient, start_time=start_time)

    assert_error(response, 400, "in_past")


def test_booking_a_past_day_is_refused(api, admin, doctor, patient, freeze):
    freeze(TUESDAY, "08:00")

    response = book(api(admin), doctor=doctor, patient=patient, scheduled_date=MONDAY)

    assert_error(response, 400, "in_past")


def test_booking_later_today_is_allowed(api, admin, doctor, patient, freeze):
    freeze(MONDAY, "11:10")

    response = book(api(admin), doctor=doctor, patient=patient, start_time="11:30")

    assert response.status_code == 201, response.content


def test_booking_a_visit_type_the_doctor_does_not_offer_is_refused(api, admin, doctor, patient):
    doctor_rules(doctor, supported_visit_types=["in_clinic"])

    refused = book(api(admin), doctor=doctor, patient=patient, visit_type="virtual")
    offered = book(api(admin), doctor=doctor, patient=patient, visit_type="in_clinic")

    assert_error(refused, 400, "visit_type_not_offered")
    assert offered.status_code == 201, offered.content


def test_booking_an_inactive_doctor_is_refused(api, admin, doctor, patient):
    doctor.doctor.is_active = False
    doctor.doctor.save()

    response = book(api(admin), doctor=doctor, patient=patient)

    assert_error(response, 400, "doctor_inactive")


def test_booking_a_wall_time_skipped_by_spring_forward_is_refused(
    api, admin, clinic, doctor, patient
):
    clinic_rules(clinic, working_days=ALL_DAYS_OPEN)
    doctor_rules(doctor, working_hours_override={"start": "00:00", "end": "05:00"})

    response = book(
        api(admin),
        doctor=doctor,
        patient=patient,
        scheduled_date=SPRING_FORWARD,
        start_time="02:30",
    )

    assert_error(response, 400, "outside_hours")
    assert not Appointment.objects.exists()


def test_booking_across_spring_forward_takes_real_minutes(api, admin, clinic, doctor, patient):
    clinic_rules(clinic, working_days=ALL_DAYS_OPEN)
    doctor_rules(doctor, working_hours_override={"start": "00:00", "end": "05:00"})

    response = book(
        api(admin),
        doctor=doctor,
        patient=patient,
        scheduled_date=SPRING_FORWARD,
        start_time="01:30",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["end_time"] == "03:00"
    assert parse(body["ends_at"]) - parse(body["starts_at"]) == local(
        SPRING_FORWARD, "03:00"
    ) - local(SPRING_FORWARD, "01:30")
    assert (parse(body["ends_at"]) - parse(body["starts_at"])).total_seconds() == 30 * 60


# Malformed input: always 400 with the field named, never 500 ---------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("scheduled_date", "2030-13-01"),
        ("scheduled_date", "2030-02-30"),
        ("scheduled_date", "next monday"),
        ("scheduled_date", ""),
        ("start_time", "25:00"),
        ("start_time", "10:60"),
        ("start_time", "9am"),
        ("start_time", ""),
        ("visit_type", "house_call"),
        ("visit_type", ""),
        ("duration", 20),
        ("duration", 0),
        ("duration", "abc"),
        ("duration", -30),
        ("visit_category", "walk_in"),
        ("intake_path", "carrier_pigeon"),
        ("doctor_id", "not-a-uuid"),
        ("doctor_id", 12),
        ("doctor_id", ""),
        ("patient_id", "not-a-uuid"),
        ("patient_id", True),
        ("force", "maybe"),
        ("visit_reason", "x" * 501),
    ],
)
def test_malformed_booking_is_a_400_naming_the_field(api, admin, doctor, patient, field, value):
    response = book(api(admin), doctor=doctor, patient=patient, **{field: value})

    assert_field_error(response, field)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "field", ["doctor_id", "patient_id", "scheduled_date", "start_time", "visit_type"]
)
def test_booking_without_a_required_field_names_it(api, admin, doctor, patient, field):
    client = api(admin)
    body = {
        "doctor_id": str(doctor.doctor.id),
        "patient_id": str(patient.id),
        "scheduled_date": "2030-01-07",
        "start_time": "10:00",
        "visit_type": "in_clinic",
    }
    del body[field]

    response = client.post("/api/appointments/", body)

    assert_field_error(response, field)


@pytest.mark.parametrize("field", ["doctor_id", "patient_id"])
def test_booking_an_unknown_id_names_the_field(api, admin, doctor, patient, field):
    response = book(api(admin), doctor=doctor, patient=patient, **{field: str(uuid.uuid4())})

    message = "Unknown doctor." if field == "doctor_id" else "Unknown patient."
    assert_field_error(response, field, message)


@pytest.mark.parametrize("payload", [[], "text", 42, None])
def test_booking_with_a_body_that_is_not_an_object_is_a_400(api, admin, payload):
    response = api(admin).post("/api/appointments/", payload, format="json")

    assert response.status_code == 400, response.content


def test_booking_with_invalid_json_is_a_400(api, admin):
    response = api(admin).post("/api/appointments/", "{not json", content_type="application/json")

    assert response.status_code == 400, response.content


# Defaults and side effects -------------------------------------------------------------------


def test_duration_defaults_to_the_doctors_visit_length(api, admin, doctor, patient):
    doctor.doctor.default_visit_length = 45
    doctor.doctor.save()

    response = book(api(admin), doctor=doctor, patient=patient)

    assert response.status_code == 201, response.content
    assert (response.json()["duration"], response.json()["end_time"]) == (45, "10:45")


@pytest.mark.parametrize(("duration", "end_time"), [(15, "10:15"), (45, "10:45"), (60, "11:00")])
def test_duration_sets_the_end_time(api, admin, doctor, patient, duration, end_time):
    response = book(api(admin), doctor=doctor, patient=patient, duration=duration)

    assert response.status_code == 201, response.content
    assert response.json()["end_time"] == end_time
    assert response.json()["duration"] == duration


def test_first_visit_is_a_new_patient_visit_and_later_ones_follow_ups(
    api, admin, doctor, other_doctor, patient
):
    client = api(admin)

    first = book(client, doctor=doctor, patient=patient)
    second = book(client, doctor=other_doctor, patient=patient, scheduled_date=TUESDAY)

    assert first.json()["visit_category"] == "new_patient"
    assert second.json()["visit_category"] == "follow_up"


def test_a_patient_whose_only_visit_was_cancelled_is_still_new(api, admin, doctor, patient):
    appointment(doctor, patient, day=MONDAY, at="09:00", status="cancelled")

    response = book(api(admin), doctor=doctor, patient=patient, scheduled_date=TUESDAY)

    assert response.json()["visit_category"] == "new_patient"


def test_an_explicit_visit_category_is_kept(api, admin, doctor, patient):
    response = book(api(admin), doctor=doctor, patient=patient, visit_category="follow_up")

    assert response.json()["visit_category"] == "follow_up"


@pytest.mark.parametrize(
    ("intake_path", "intake_status"),
    [("skip", "skipped"), ("send_later", "not_sent")],
)
def test_intake_path_sets_the_intake_status(
    api, admin, doctor, patient, intake_path, intake_status
):
    response = book(api(admin), doctor=doctor, patient=patient, intake_path=intake_path)

    assert response.status_code == 201, response.content
    assert response.json()["intake_path"] == intake_path
    assert response.json()["intake_status"] == intake_status


@pytest.mark.parametrize(
    ("delivery", "intake_path"), [("automatic", "send_now"), ("manual", "send_later")]
)
def test_intake_path_defaults_from_the_clinics_delivery_setting(
    api, admin, clinic, doctor, patient, delivery, intake_path
):
    clinic_rules(clinic, intake_delivery_path=delivery)

    response = book(api(admin), doctor=doctor, patient=patient)

    assert response.status_code == 201, response.content
    assert response.json()["intake_path"] == intake_path


def test_a_clinic_that_asks_every_time_needs_an_intake_path(api, admin, clinic, doctor, patient):
    clinic_rules(clinic, intake_delivery_path="ask_every_time")

    missing = book(api(admin), doctor=doctor, patient=patient)
    given = book(api(admin), doctor=doctor, patient=patient, intake_path="skip")

    assert_field_error(missing, "intake_path")
    assert given.status_code == 201, given.content


def test_booking_links_the_doctor_and_patient(api, admin, doctor, patient):
    response = book(api(admin), doctor=doctor, patient=patient)

    assert response.status_code == 201, response.content
    link = DoctorPatientRelationship.objects.get(doctor=doctor.doctor, patient=patient)
    assert link.first_visit_date == local(MONDAY, "10:00")
    assert link.last_visit_date == local(MONDAY, "10:00")


def test_later_and_earlier_bookings_widen_the_link(api, admin, doctor, patient):
    client = api(admin)
    book(client, doctor=doctor, patient=patient, scheduled_date=TUESDAY, start_time="11:00")

    book(client, doctor=doctor, patient=patient, scheduled_date="2030-01-09", start_time="09:00")
    book(client, doctor=doctor, patient=patient, scheduled_date=MONDAY, start_time="15:00")

    links = DoctorPatientRelationship.objects.filter(doctor=doctor.doctor, patient=patient)
    assert links.count() == 1
    assert links.get().first_visit_date == local(MONDAY, "15:00")
    assert links.get().last_visit_date == local(MONDAY.replace(day=9), "09:00")


def test_booking_lets_the_doctor_see_the_patient(api, admin, doctor, patient):
    assert api(doctor).get(f"/api/patients/{patient.id}/").status_code == 404

    book(api(admin), doctor=doctor, patient=patient)

    assert api(doctor).get(f"/api/patients/{patient.id}/").status_code == 200
