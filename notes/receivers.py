"""How follow-ups keep in step with the visits that fulfil them
(``scheduling/signals.py``)."""

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from notes.selectors import follow_up_list
from notes.services import follow_up_book, follow_ups_after_visit
from scheduling.signals import (
    appointment_booked,
    appointment_cancelled,
    appointment_status_changed,
)


@receiver(appointment_booked, dispatch_uid="notes.book_the_follow_up")
def book_follow_up(sender, *, appointment, by, follow_up_id=None, **kwargs):
    """A booking that names a follow-up schedules it, or is refused as a whole."""
    if follow_up_id is None:
        return
    follow_up = follow_up_list(user=by).filter(pk=follow_up_id).first()
    if follow_up is None:
        raise ValidationError({"follow_up_id": "Unknown follow-up."})
    follow_up_book(follow_up=follow_up, appointment=appointment)


@receiver(appointment_status_changed, dispatch_uid="notes.follow_ups_after_a_visit")
@receiver(appointment_cancelled, dispatch_uid="notes.follow_ups_after_a_cancellation")
def follow_ups_in_step(sender, *, appointment, **kwargs):
    follow_ups_after_visit(appointment=appointment)
