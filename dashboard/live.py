"""What the live dashboards hear, and when admins get an email: the policy of
``/ws/events/`` (``dashboard/consumers.py`` delivers it).

``dashboard/receivers.py`` calls these from the domain signals of scheduling and
intake. Each announcement reads the appointment afresh once the transaction has
committed, so it carries the final state (a booking that also sent the intake link
is one ``appointment:created`` with ``intake_status: sent``) and a rollback says
nothing.

The clinic's notification settings decide: ``notify_via_app`` turns staff events on
or off; ``notify_unconfirmed`` gates new (unconfirmed) bookings, ``notify_missing_intake``
intake completions; ``notify_cancellations`` and ``notify_no_shows`` decide whether
those are announced at all, and ``notify_via_email`` whether admins also get an email.
Owners always get ``metrics:updated`` with the day's counts and nothing else.
"""

import logging

from django.core.mail import send_mail
from django.db import transaction

from accounts.models import Role, User
from clinicflow import events
from dashboard.selectors import clinic_day_counts
from scheduling.models import Appointment, AppointmentStatus

logger = logging.getLogger(__name__)


def _appointment_data(appointment: Appointment) -> dict:
    return {
        "id": str(appointment.id),
        "doctor_id": str(appointment.doctor_id),
        "patient_id": str(appointment.patient_id),
        "patient_name": appointment.patient.full_name,
        "scheduled_date": appointment.scheduled_date.isoformat(),
        "start_time": f"{appointment.start_time:%H:%M}",
        "end_time": f"{appointment.end_time:%H:%M}",
        "status": appointment.status,
        "intake_status": appointment.intake_status,
        "visit_type": appointment.visit_type,
    }


def _staff_groups(appointment: Appointment, previous_doctor_id=None) -> list[str]:
    groups = [
        events.admins_group(appointment.clinic_id),
        events.doctor_group(appointment.doctor_id),
    ]
    if previous_doctor_id is not None and previous_doctor_id != appointment.doctor_id:
        groups.append(events.doctor_group(previous_doctor_id))  # the visit left their day
    return groups


def _to_owners(appointment: Appointment, previous_date=None) -> None:
    days = [appointment.scheduled_date]
    if previous_date is not None and previous_date != appointment.scheduled_date:
        days.append(previous_date)
    for day in days:
        events.publish(
            [events.owners_group(appointment.clinic_id)],
            events.METRICS_UPDATED,
            clinic_day_counts(clinic_id=appointment.clinic_id, day=day),
            clinic_id=appointment.clinic_id,
        )


def _fresh(appointment_id) -> Appointment | None:
    return (
        Appointment.objects.select_related("clinic__settings", "patient", "doctor")
        .filter(pk=appointment_id)
        .first()
    )


def after_commit(announce):
    """Runs ``announce(appointment, **details)`` once the transaction commits, on the
    appointment as committed."""

    def schedule(appointment_id, **details) -> None:
        def run():
            appointment = _fresh(appointment_id)
            if appointment is not None:
                announce(appointment, **details)

        transaction.on_commit(run)

    schedule.__doc__ = announce.__doc__
    return schedule


@after_commit
def appointment_created(appointment: Appointment) -> None:
    rules = appointment.clinic.settings
    if rules.notify_via_app and rules.notify_unconfirmed:
        events.publish(
            _staff_groups(appointment),
            events.APPOINTMENT_CREATED,
            {"appointment": _appointment_data(appointment)},
            clinic_id=appointment.clinic_id,
        )
    _to_owners(appointment)


@after_commit
def appointment_updated(
    appointment: Appointment, *, previous_doctor_id=None, previous_date=None
) -> None:
    """A change; after a reschedule the doctor and day it left hear of it too."""
    if appointment.clinic.settings.notify_via_app:
        events.publish(
            _staff_groups(appointment, previous_doctor_id),
            events.APPOINTMENT_UPDATED,
            {"appointment": _appointment_data(appointment)},
            clinic_id=appointment.clinic_id,
        )
    _to_owners(appointment, previous_date)


@after_commit
def appointment_cancelled(appointment: Appointment, *, reason: str, note: str) -> None:
    rules = appointment.clinic.settings
    no_show = appointment.status == AppointmentStatus.NO_SHOW
    wanted = rules.notify_no_shows if no_show else rules.notify_cancellations
    if wanted and rules.notify_via_app:
        events.publish(
            _staff_groups(appointment),
            events.APPOINTMENT_CANCELLED,
            {"appointment_id": str(appointment.id), "status": appointment.status, "reason": reason},
            clinic_id=appointment.clinic_id,
        )
    if wanted and rules.notify_via_email:
        _email_admins(appointment, no_show=no_show, reason=reason)
    _to_owners(appointment)


@after_commit
def intake_completed(appointment: Appointment, *, has_summary: bool) -> None:
    rules = appointment.clinic.settings
    if rules.notify_via_app and rules.notify_missing_intake:
        events.publish(
            _staff_groups(appointment),
            events.INTAKE_COMPLETED,
            {"appointment_id": str(appointment.id), "has_summary": has_summary},
            clinic_id=appointment.clinic_id,
        )


def _email_admins(appointment: Appointment, *, no_show: bool, reason: str) -> None:
    recipients = list(
        User.objects.filter(
            clinic_id=appointment.clinic_id, role=Role.ADMIN, is_active=True
        ).values_list("email", flat=True)
    )
    if not recipients:
        return
    what = "No-show" if no_show else "Cancellation"
    subject = (
        f"{what}: {appointment.scheduled_date:%b %-d} {appointment.start_time:%H:%M} "
        f"with {appointment.doctor.name}"
    )
    body = (
        f"{what} at {appointment.clinic.name}.\n\n"
        f"Patient: {appointment.patient.full_name}\n"
        f"Doctor: {appointment.doctor.name}\n"
        f"When: {appointment.scheduled_date:%A, %B %-d} at {appointment.start_time:%H:%M}\n"
        f"Reason: {reason.replace('_', ' ')}\n"
    )

    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("Cancellation email for appointment %s failed", appointment.pk)
