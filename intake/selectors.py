"""Reads of intake templates and submissions, scoped to the person asking."""

from django.db.models import QuerySet

from accounts.models import User
from intake.models import IntakeFormTemplate, IntakeSubmission


def template_list(*, user: User) -> QuerySet[IntakeFormTemplate]:
    """The admin's clinic's templates; nobody else's (the view admits admins only)."""
    return IntakeFormTemplate.objects.visible_to(user).order_by("name")


def submission_list(
    *, user: User, appointment_id=None, patient_id=None, summary_status=None
) -> QuerySet[IntakeSubmission]:
    """Admins see every submission of their clinic; a doctor sees those for their
    own appointments; owners none."""
    submissions = IntakeSubmission.objects.visible_to(user).select_related(
        "patient", "appointment__doctor", "template"
    )
    if appointment_id:
        submissions = submissions.filter(appointment_id=appointment_id)
    if patient_id:
        submissions = submissions.filter(patient_id=patient_id)
    if summary_status:
        submissions = submissions.filter(ai_summary_status=summary_status)
    return submissions.order_by("-submitted_at")


def latest_submission(*, appointment) -> IntakeSubmission | None:
    """The appointment's most recent intake submission (its summary fields), or None."""
    return (
        IntakeSubmission.objects.filter(appointment=appointment)
        .only(
            "id",
            "ai_summary",
            "ai_summary_status",
            "ai_summary_sources",
            "ai_summary_needs_review",
            "submitted_at",
            "appointment_id",
        )
        .order_by("-submitted_at")
        .first()
    )
