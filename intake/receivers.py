"""How intake reacts to what happens to appointments (``scheduling/signals.py``)."""

from django.dispatch import receiver

from intake.services import intake_links_follow, intake_start
from scheduling.signals import appointment_booked, appointment_rescheduled


@receiver(appointment_booked, dispatch_uid="intake.start_on_booking")
def start_intake(sender, *, appointment, intake_path, **kwargs):
    """A booking skips the intake, leaves it to the front desk, or sends the form."""
    intake_start(appointment=appointment, intake_path=intake_path)


@receiver(appointment_rescheduled, dispatch_uid="intake.links_follow_the_visit")
def links_follow(sender, *, appointment, **kwargs):
    """Open links never outlive the appointment's (new) day."""
    intake_links_follow(appointment=appointment)
