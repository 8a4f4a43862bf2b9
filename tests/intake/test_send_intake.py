"""Sending a patient their intake link: admins only, one live link per visit, at
least 128 random bits stored only as a hash, expiring with the TTL or the end of the
visit's day, delivered by email and SMS as the patient allows."""

import re
import uuid
from datetime import timedelta

import pytest
from django.apps import apps

from intake.models import IntakeToken
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, IntakeFormTemplateFactory
from tests.intake.helpers import (
    MONDAY,
    TUESDAY,
    WEDNESDAY,
    answers,
    appointment_url,
    assert_error,
    local,
    parse,
    public_url,
    raw_token,
    sha256,
)

pytestmark = pytest.mark.django_db


def send(client, appointment, template):
    return client.post(
        appointment_url(appointment, "send-intake"), {"template_id": str(template.pk)}
    )


def test_admin_sends_an_intake_link(api, admin, appointment, template, settings):
    response = send(api(admin), appointment, template)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"intake_url", "expires_at", "channels"}
    assert body["intake_url"].startswith(f"{settings.CLINICFLOW_PUBLIC_URL.rstrip('/')}/intake/")
    assert body["intake_url"].endswith("/")
    assert body["channels"] == ["email", "sms"]
    appointment.refresh_from_db()
    assert appointment.intake_status == "sent"
    token = IntakeToken.objects.get(appointment=appointment)
    assert token.template == template
    assert token.patient == appointment.patient
    assert token.used_at is None
    assert token.revoked_at is None
    assert parse(body["expires_at"]) == token.expires_at


def test_the_link_opens_the_form(api, admin, anon, appointment, template):
    url = send(api(admin), appointment, template).json()["intake_url"]

    response = anon.get(public_url(raw_token(url)))

    assert response.status_code == 200, response.content
    assert response.json()["form"]["name"] == "New Patient Intake"


def test_raw_token_carries_at_least_128_random_bits(api, admin, appointment, template):
    client = api(admin)
    raws = {raw_token(send(client, appointment, template).json()["intake_url"]) for _ in range(3)}

    assert len(raws) == 3
    for raw in raws:
        # 43 URL-safe base64 characters carry 258 bits >= 128.
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", raw), raw


def test_raw_token_is_stored_nowhere(api, admin, anon, appointment, template):
    """Only sha256(raw) is kept: no column of any row of any table holds the secret,
    before or after the patient answers."""
    raw = raw_token(send(api(admin), appointment, template).json()["intake_url"])
    assert anon.post(public_url(raw), {"responses": answers()}).status_code == 201

    token = IntakeToken.objects.get(appointment=appointment)
    assert token.token == sha256(raw)
    assert token.used_at is not None
    for model in (m for m in apps.get_models() if m._meta.managed):
        for row in model.objects.values():
            for column, value in row.items():
                assert raw not in str(value), f"{model._meta.db_table}.{column} holds the token"


# Expiry ---------------------------------------------------------------------------------


def test_link_expires_after_the_configured_hours(
    api, admin, appointment, template, settings, freeze
):
    now = freeze(local(MONDAY - timedelta(days=5), "09:00"))
    settings.INTAKE_TOKEN_TTL_HOURS = 24

    response = send(api(admin), appointment, template)

    assert response.status_code == 201, response.content
    assert parse(response.json()["expires_at"]) == now + timedelta(hours=24)
    assert IntakeToken.objects.get().expires_at == now + timedelta(hours=24)


def test_link_never_outlives_the_appointments_day(api, admin, appointment, template, freeze):
    """A visit tomorrow: the 72-hour link stops at midnight after it, clinic time."""
    freeze(local(MONDAY - timedelta(days=1), "15:00"))

    response = send(api(admin), appointment, template)

    assert response.status_code == 201, response.content
    expected = local(TUESDAY, "00:00")
    assert parse(response.json()["expires_at"]) == expected
    assert IntakeToken.objects.get().expires_at == expected


def test_no_link_once_the_appointments_day_is_over(api, admin, appointment, template, freeze):
    freeze(local(TUESDAY, "08:00"))

    response = send(api(admin), appointment, template)

    assert_error(response, 409, "appointment_closed")
    assert not IntakeToken.objects.exists()


def test_resend_revokes_the_old_link(api, admin, anon, appointment, template):
    client = api(admin)
    old = raw_token(send(client, appointment, template).json()["intake_url"])
    new = raw_token(send(client, appointment, template).json()["intake_url"])

    assert old != new
    assert_error(anon.get(public_url(old)), 410, "token_replaced")
    assert_error(anon.post(public_url(old), {"responses": answers()}), 410, "token_replaced")
    assert anon.get(public_url(new)).status_code == 200
    assert IntakeToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert IntakeToken.objects.get(revoked_at__isnull=True).token == sha256(new)


def test_rescheduling_to_an_earlier_day_pulls_in_the_open_link(
    api, admin, doctor, patient, template, freeze
):
    freeze(local(MONDAY, "08:00"))
    visit = AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=WEDNESDAY)
    client = api(admin)
    sent = send(client, visit, template)
    assert parse(sent.json()["expires_at"]) == local(WEDNESDAY + timedelta(days=1), "00:00")

    response = client.post(
        appointment_url(visit, "reschedule"), {"new_date": TUESDAY.isoformat(), "new_time": "10:00"}
    )

    assert response.status_code == 200, response.content
    assert IntakeToken.objects.get().expires_at == local(WEDNESDAY, "00:00")


def test_rescheduling_to_a_later_day_keeps_the_link_working(
    api, admin, anon, doctor, patient, template, freeze
):
    freeze(local(MONDAY, "08:00"))
    visit = AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=TUESDAY)
    client = api(admin)
    raw = raw_token(send(client, visit, template).json()["intake_url"])
    friday = MONDAY + timedelta(days=4)

    response = client.post(
        appointment_url(visit, "reschedule"), {"new_date": friday.isoformat(), "new_time": "11:00"}
    )

    assert response.status_code == 200, response.content
    token = IntakeToken.objects.get()
    assert token.expires_at <= local(friday + timedelta(days=1), "00:00")
    opened = anon.get(public_url(raw))
    assert opened.status_code == 200
    assert opened.json()["appointment_date"] == friday.isoformat()
    assert opened.json()["appointment_time"] == "11:00 AM"


# Delivery ---------------------------------------------------------------------------------


def test_link_is_emailed_when_the_patient_allows_email(
    api, admin, appointment, template, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(api(admin), appointment, template)

    assert response.status_code == 201
    url = response.json()["intake_url"]
    [email] = mailoutbox
    assert email.to == [appointment.patient.email]
    assert url in email.body
    assert "Downtown Family Medicine" in email.subject
    assert "Dr. Chen" in email.body


def test_no_email_when_the_patient_turned_email_off(
    api, admin, appointment, template, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    patient = appointment.patient
    patient.contact_preferences = {"email": False, "sms": True}
    patient.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = send(api(admin), appointment, template)

    assert response.status_code == 201
    assert response.json()["channels"] == ["sms"]
    assert mailoutbox == []
    assert len(sms_outbox) == 1


def test_no_email_without_an_address(
    api, admin, appointment, template, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    patient = appointment.patient
    patient.email = ""
    patient.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = send(api(admin), appointment, template)

    assert response.status_code == 201
    assert response.json()["channels"] == ["sms"]
    assert mailoutbox == []


def test_sms_goes_through_the_configured_sender(
    api, admin, appointment, template, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(api(admin), appointment, template)

    assert response.status_code == 201
    [(phone, message)] = sms_outbox
    assert phone == appointment.patient.phone
    assert response.json()["intake_url"] in message


def test_no_sms_when_the_patient_turned_sms_off(
    api, admin, appointment, template, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    patient = appointment.patient
    patient.contact_preferences = {"email": True, "sms": False}
    patient.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = send(api(admin), appointment, template)

    assert response.json()["channels"] == ["email"]
    assert sms_outbox == []
    assert len(mailoutbox) == 1


def test_nothing_is_delivered_before_the_transaction_commits(
    api, admin, appointment, template, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = send(api(admin), appointment, template)

    assert response.status_code == 201
    assert callbacks
    assert mailoutbox == []
    assert sms_outbox == []


# Who may send, and what ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["doctor", "owner"])
def test_doctor_and_owner_may_not_send(request, api, appointment, template, role):
    response = send(api(request.getfixturevalue(role)), appointment, template)

    assert_error(response, 403)
    appointment.refresh_from_db()
    assert appointment.intake_status == "not_sent"
    assert not IntakeToken.objects.exists()


def test_anonymous_gets_401(anon, appointment, template):
    assert_error(send(anon, appointment, template), 401)
    assert not IntakeToken.objects.exists()


def test_outsider_gets_404(api, outsider_admin, appointment, other_clinic):
    theirs = IntakeFormTemplateFactory(clinic=other_clinic)

    response = send(api(outsider_admin), appointment, theirs)

    assert_error(response, 404)
    assert not IntakeToken.objects.exists()


def test_another_clinics_template_is_refused(api, admin, appointment, other_clinic):
    theirs = IntakeFormTemplateFactory(clinic=other_clinic)

    response = send(api(admin), appointment, theirs)

    assert response.status_code == 400, response.content
    assert "template_id" in response.json()
    assert not IntakeToken.objects.exists()


def test_inactive_template_is_refused(api, admin, appointment, template):
    template.is_active = False
    template.save()

    response = send(api(admin), appointment, template)

    assert response.status_code == 400, response.content
    assert "template_id" in response.json()
    appointment.refresh_from_db()
    assert appointment.intake_status == "not_sent"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="missing"),
        pytest.param({"template_id": None}, id="null"),
        pytest.param({"template_id": "not-a-uuid"}, id="garbage"),
        pytest.param({"template_id": str(uuid.uuid4())}, id="unknown"),
    ],
)
def test_bad_template_id_is_refused(api, admin, appointment, body):
    response = api(admin).post(appointment_url(appointment, "send-intake"), body)

    assert response.status_code == 400, response.content
    assert "template_id" in response.json()


@pytest.mark.parametrize("status", ["cancelled", "no_show", "completed"])
def test_closed_appointment_gets_409(api, admin, appointment, template, status):
    Appointment.objects.filter(pk=appointment.pk).update(status=status)

    response = send(api(admin), appointment, template)

    assert_error(response, 409, "appointment_closed")
    assert not IntakeToken.objects.exists()


def test_completed_intake_gets_409(api, admin, appointment, template):
    Appointment.objects.filter(pk=appointment.pk).update(intake_status="completed")

    response = send(api(admin), appointment, template)

    assert_error(response, 409, "intake_already_completed")
    assert not IntakeToken.objects.exists()


# Booking with intake_path send_now ----------------------------------------------------------


def book(client, doctor, patient, **extra):
    return client.post(
        "/api/appointments",
        {
            "doctor_id": str(doctor.doctor.id),
            "patient_id": str(patient.id),
            "scheduled_date": MONDAY.isoformat(),
            "start_time": "10:00",
            "visit_type": "in_clinic",
            "visit_reason": "Rash",
            **extra,
        },
    )


def test_booking_with_send_now_sends_the_clinics_form(
    api, admin, doctor, patient, template, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = book(api(admin), doctor, patient, intake_path="send_now")

    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert appointment.intake_status == "sent"
    assert response.json()["intake_status"] == "sent"
    token = IntakeToken.objects.get(appointment=appointment)
    assert token.template == template
    assert token.expires_at <= local(TUESDAY, "00:00")
    [email] = mailoutbox
    assert email.to == [patient.email]
    assert "/intake/" in email.body


@pytest.mark.parametrize("setup", ["no template", "inactive template", "another clinic's"])
def test_booking_with_send_now_without_a_form_stays_not_sent(
    api, admin, doctor, patient, other_clinic, setup, mailoutbox, django_capture_on_commit_callbacks
):
    if setup == "inactive template":
        IntakeFormTemplateFactory(clinic=admin.clinic, is_active=False)
    elif setup == "another clinic's":
        IntakeFormTemplateFactory(clinic=other_clinic)

    with django_capture_on_commit_callbacks(execute=True):
        response = book(api(admin), doctor, patient, intake_path="send_now")

    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert appointment.intake_status == "not_sent"
    assert not IntakeToken.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("intake_path", [None, "send_now"])
def test_a_walk_in_is_booked_where_the_clinic_sends_forms_automatically(
    api,
    admin,
    doctor,
    patient,
    template,
    freeze,
    intake_path,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """The patient is at the desk and already checked in: no link is sent, and the
    booking is not refused (it was 409 appointment_closed and rolled back)."""
    freeze(local(MONDAY, "10:07"))
    rules = admin.clinic.settings
    rules.intake_delivery_path = "automatic"
    rules.save()
    extra = {"intake_path": intake_path} if intake_path else {}

    with django_capture_on_commit_callbacks(execute=True):
        response = book(api(admin), doctor, patient, walk_in=True, **extra)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["start_time"]) == ("arrived", "10:07")
    assert body["intake_status"] == "not_sent"
    assert not IntakeToken.objects.exists()
    assert mailoutbox == []
