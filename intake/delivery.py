"""Getting an intake link to the patient: email through Django's email backend,
SMS through a pluggable sender (``settings.SMS_SENDER``; the default only logs)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def log_sms(phone: str, message: str) -> None:
    """The default SMS sender: records that a message would go out, not its content."""
    logger.info(
        "SMS to ...%s (%d characters) not sent: no SMS provider configured",
        phone[-2:],
        len(message),
    )


def delivery_channels(patient) -> list[str]:
    """The channels an intake link goes out by: those the patient has and allows."""
    prefs = patient.contact_preferences or {}
    channels = []
    if patient.email and prefs.get("email", True):
        channels.append("email")
    if patient.phone and prefs.get("sms", True):
        channels.append("sms")
    return channels


def deliver_intake_link(*, appointment, url: str, expires_at) -> None:
    """Sends the link by ``delivery_channels``. Runs after the transaction commits;
    a failing channel is logged and skipped (the admin has the link in the API)."""
    patient = appointment.patient
    channels = delivery_channels(patient)
    context = {
        "patient": patient,
        "clinic": appointment.clinic,
        "doctor": appointment.doctor,
        "appointment": appointment,
        "url": url,
        "expires_at": expires_at,
    }
    if "email" in channels:
        try:
            send_mail(
                subject=f"Before your visit at {appointment.clinic.name}",
                message=render_to_string("intake/email_link.txt", context),
                from_email=None,
                recipient_list=[patient.email],
            )
        except Exception:
            logger.exception("Intake link email for appointment %s failed", appointment.pk)
    if "sms" in channels:
        message = render_to_string("intake/sms_link.txt", context).strip()
        try:
            import_string(settings.SMS_SENDER)(patient.phone, message)
        except Exception:
            logger.exception("Intake link SMS for appointment %s failed", appointment.pk)
