"""Reads of doctor notes and follow-ups, scoped to the person asking."""

from datetime import date

from django.db.models import QuerySet

from accounts.models import User
from notes.models import DoctorNote, FollowUp


def note_list(*, user: User, patient_id=None) -> QuerySet[DoctorNote]:
    """A doctor's own notes (optionally on one patient). Nobody else sees a note:
    not admins, not owners, not another doctor of the same patient."""
    notes = DoctorNote.objects.visible_to(user)
    if patient_id:
        notes = notes.filter(patient_id=patient_id)
    return notes.order_by("-created_at")


def follow_up_list(
    *,
    user: User,
    statuses: list[str] | None = None,
    doctor_id=None,
    patient_id=None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> QuerySet[FollowUp]:
    """Admins see the clinic's follow-ups; a doctor sees the ones they asked for."""
    follow_ups = FollowUp.objects.visible_to(user).select_related(
        "patient", "doctor", "follow_up_appointment"
    )
    if doctor_id and user.is_admin:
        follow_ups = follow_ups.filter(doctor_id=doctor_id)
    if statuses:
        follow_ups = follow_ups.filter(status__in=statuses)
    if patient_id:
        follow_ups = follow_ups.filter(patient_id=patient_id)
    if due_from:
        follow_ups = follow_ups.filter(scheduled_date__gte=due_from)
    if due_to:
        follow_ups = follow_ups.filter(scheduled_date__lte=due_to)
    return follow_ups.order_by("scheduled_date", "created_at")


def follow_up_worklist(*, user: User, statuses: list[str] | None = None, **filters):
    """What ``GET /api/follow-ups`` lists: a doctor's own follow-ups in every status;
    for the front desk, the queue of pending ones unless other statuses are asked for."""
    if statuses is None and user.is_admin:
        statuses = [FollowUp.Status.PENDING]
    return follow_up_list(user=user, statuses=statuses, **filters)
