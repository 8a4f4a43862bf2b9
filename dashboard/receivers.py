"""The live dashboards listen to what happens in scheduling and intake."""

from django.dispatch import receiver

from dashboard import live
from intake.models import IntakeSubmission
from intake.signals import intake_completed, intake_sent, summary_ready
from scheduling.signals import (
    appointment_booked,
    appointment_cancelled,
    appointment_details_changed,
    appointment_rescheduled,
    appointment_status_changed,
)


@receiver(appointment_booked, dispatch_uid="dashboard.live.booked")
def booked(sender, *, appointment, **kwargs):
    live.appointment_created(appointment.pk)


@receiver(appointment_rescheduled, dispatch_uid="dashboard.live.rescheduled")
def rescheduled(sender, *, appointment, previous_doctor_id, previous_date, **kwargs):
    live.appointment_updated(
        appointment.pk, previous_doctor_id=previous_doctor_id, previous_date=previous_date
    )


@receiver(appointment_status_changed, dispatch_uid="dashboard.live.status_changed")
@receiver(appointment_details_changed, dispatch_uid="dashboard.live.details_changed")
@receiver(intake_sent, dispatch_uid="dashboard.live.intake_sent")
def changed(sender, *, appointment, **kwargs):
    live.appointment_updated(appointment.pk)


@receiver(appointment_cancelled, dispatch_uid="dashboard.live.cancelled")
def cancelled(sender, *, appointment, reason, note, **kwargs):
    live.appointment_cancelled(appointment.pk, reason=reason, note=note)


@receiver(intake_completed, dispatch_uid="dashboard.live.intake_completed")
def intake_done(sender, *, appointment, submission, **kwargs):
    """The patient's submission is ``intake:completed``; the front desk's completion
    by hand is an ``appointment:updated``, as it has always been announced."""
    if submission is None:
        live.appointment_updated(appointment.pk)
        return
    has_summary = submission.ai_summary_status == IntakeSubmission.SummaryStatus.READY
    live.intake_completed(appointment.pk, has_summary=has_summary)


@receiver(summary_ready, dispatch_uid="dashboard.live.summary_ready")
def summary_written(sender, *, submission, **kwargs):
    """The appointment's intake summary changed: its drawer and preparation view
    should be read again."""
    live.appointment_updated(submission.appointment_id)
