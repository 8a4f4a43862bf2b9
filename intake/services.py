"""Writes of the intake flow: templates, one-time links, submissions, summaries.

Intake owns an appointment's ``intake_status``: it is written here and nowhere else.
Each command sends its signal (``intake/signals.py``) once, inside its transaction.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.clock import clinic_zone, day_bounds
from accounts.models import Clinic, User
from clinicflow.exceptions import Conflict
from clinicflow.jobs import enqueue
from intake import signals
from intake.delivery import deliver_intake_link
from intake.errors import (
    AlreadySubmitted,
    InvalidAnswers,
    TokenExpired,
    TokenNotFound,
    TokenReplaced,
    VisitCancelled,
    VisitStarted,
)
from intake.forms import check_answers, check_field_definitions
from intake.jobs import generate_summary_job
from intake.models import IntakeFormTemplate, IntakeSubmission, IntakeToken
from scheduling.errors import BookingRefused
from scheduling.models import Appointment, IntakeStatus

logger = logging.getLogger(__name__)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# Templates --------------------------------------------------------------------------


def _clean_fields(fields) -> list[dict]:
    clean, errors = check_field_definitions(fields)
    if errors:
        raise ValidationError({"fields": errors})
    return clean


def template_create(*, clinic: Clinic, name: str, fields, description: str = "", is_active=True):
    return IntakeFormTemplate.objects.create(
        clinic=clinic,
        name=name,
        description=description,
        fields=_clean_fields(fields),
        is_active=is_active,
    )


@transaction.atomic
def template_update(*, template: IntakeFormTemplate, data: dict) -> IntakeFormTemplate:
    """Partial update. A change of ``fields`` is a new version; submissions keep the
    fields their patient answered, so they never break."""
    template = IntakeFormTemplate.objects.select_for_update().get(pk=template.pk)
    if "fields" in data:
        fields = _clean_fields(data["fields"])
        if fields != template.fields:
            template.fields = fields
            template.version += 1
    for key in ("name", "description", "is_active"):
        if key in data:
            setattr(template, key, data[key])
    template.save()
    return template


# Sending a link ----------------------------------------------------------------------


def _link_expiry(appointment: Appointment, now: datetime) -> datetime:
    """The TTL from settings, but never past the end of the appointment's day."""
    _, day_end = day_bounds(clinic_zone(appointment.clinic), appointment.scheduled_date)
    return min(now + timedelta(hours=settings.INTAKE_TOKEN_TTL_HOURS), day_end)


def intake_url(raw: str) -> str:
    return f"{settings.CLINICFLOW_PUBLIC_URL.rstrip('/')}/intake/{raw}/"


@transaction.atomic
def intake_send(
    *, appointment: Appointment, template: IntakeFormTemplate, by: User | None
) -> tuple[str, IntakeToken]:
    """Creates a one-time link for the appointment's intake and sends it.

    The link carries 256 random bits; only their SHA-256 is stored. Earlier links
    for the appointment stop working. Returns (url, token row).
    """
    url, token, appointment = _link_create(appointment=appointment, template=template)
    signals.intake_sent.send(sender=IntakeToken, appointment=appointment, by=by)
    return url, token


def _link_create(
    *, appointment: Appointment, template: IntakeFormTemplate
) -> tuple[str, IntakeToken, Appointment]:
    """The writes of sending a link, without announcing them (a booking that sends
    the form announces the booking)."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("clinic", "patient", "doctor")
        .get(pk=appointment.pk)
    )
    if template.clinic_id != appointment.clinic_id or not template.is_active:
        raise ValidationError({"template_id": "Unknown or inactive template."})
    if not appointment.is_open:
        raise Conflict(
            f"The appointment is {appointment.get_status_display().lower()}.",
            code="appointment_closed",
        )
    if appointment.intake_status == IntakeStatus.COMPLETED:
        raise Conflict("Intake is already completed.", code="intake_already_completed")
    now = timezone.now()
    expires_at = _link_expiry(appointment, now)
    if expires_at <= now:
        raise Conflict("The appointment's day is over.", code="appointment_closed")

    IntakeToken.objects.filter(
        appointment=appointment, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    token = IntakeToken.objects.create(
        appointment=appointment,
        patient_id=appointment.patient_id,
        template=template,
        token=token_hash(raw),
        expires_at=expires_at,
    )
    appointment.intake_status = IntakeStatus.SENT
    appointment.intake_form = template
    appointment.save(update_fields=["intake_status", "intake_form", "updated_at"])
    url = intake_url(raw)
    transaction.on_commit(
        lambda: deliver_intake_link(appointment=appointment, url=url, expires_at=expires_at)
    )
    return url, token, appointment


def intake_links_follow(*, appointment: Appointment) -> None:
    """After a reschedule: open links never outlive the appointment's (new) day."""
    _, day_end = day_bounds(clinic_zone(appointment.clinic), appointment.scheduled_date)
    IntakeToken.objects.filter(
        appointment=appointment,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=day_end,
    ).update(expires_at=day_end)


def intake_start(*, appointment: Appointment, intake_path: str) -> None:
    """A new booking's intake: skipped, left for the front desk, or the clinic's
    current form (its most recently edited active template) sent at once.

    Only to a visit that is still to come: a walk-in is already checked in, so it
    gets no link. Without an active template the intake stays ``not_sent``."""
    if intake_path == Appointment.IntakePath.SKIP:
        Appointment.objects.filter(pk=appointment.pk).update(intake_status=IntakeStatus.SKIPPED)
        return
    if intake_path != Appointment.IntakePath.SEND_NOW or not appointment.is_open:
        return
    template = (
        IntakeFormTemplate.objects.filter(clinic_id=appointment.clinic_id, is_active=True)
        .order_by("-updated_at")
        .first()
    )
    if template is not None:
        _link_create(appointment=appointment, template=template)


@transaction.atomic
def intake_complete_by_hand(*, appointment: Appointment, by: User) -> Appointment:
    """Marks intake done by hand (paper form, phone), where the clinic allows it."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("clinic__settings")
        .get(pk=appointment.pk)
    )
    if by.clinic_id != appointment.clinic_id:
        raise BookingRefused("Not an appointment of your clinic.", code="wrong_clinic")
    if not appointment.clinic.settings.allow_manual_completion:
        raise BookingRefused(
            "This clinic does not allow completing intake by hand.",
            code="manual_completion_disabled",
        )
    if appointment.intake_status == IntakeStatus.COMPLETED:
        raise Conflict("Intake is already completed.", code="intake_already_completed")
    appointment.intake_status = IntakeStatus.COMPLETED
    appointment.save(update_fields=["intake_status", "updated_at"])
    signals.intake_completed.send(
        sender=IntakeSubmission, appointment=appointment, submission=None, by=by
    )
    return appointment


# The patient's side ---------------------------------------------------------------------


def _usable_token(raw: str, *, lock: bool = False) -> IntakeToken:
    """The live token for a link, or the error the patient should see.

    A wrong token costs the same hash and indexed lookup as a right one."""
    tokens = IntakeToken.objects.select_related(
        "appointment__clinic", "appointment__doctor", "patient", "template"
    )
    if lock:
        tokens = tokens.select_for_update(of=("self",))
    token = tokens.filter(token=token_hash(raw or "")).first()
    if token is None:
        raise TokenNotFound()
    visit = token.appointment
    if token.used_at is not None:
        raise AlreadySubmitted(appointment=visit)
    if token.revoked_at is not None:
        raise TokenReplaced(appointment=visit)
    if not visit.is_live:
        raise VisitCancelled(appointment=visit)
    if not visit.is_open:
        raise VisitStarted(appointment=visit)
    if token.expires_at <= timezone.now():
        raise TokenExpired(appointment=visit)
    return token


def intake_open(*, raw: str) -> IntakeToken:
    """What a patient's link shows (raises 404/409/410 errors as the guide says)."""
    return _usable_token(raw)


@transaction.atomic
def intake_submit(*, raw: str, responses) -> IntakeSubmission:
    """Saves a patient's answers in one transaction: the submission, the token
    spent, the appointment's intake completed; after commit the summary job.

    The token row is locked, so of two simultaneous submits one wins and the
    other gets 409.
    """
    # Lock order everywhere is appointment, then token (send and reschedule do the
    # same), so a submit racing a resend cannot deadlock.
    found = _usable_token(raw)
    list(Appointment.objects.select_for_update().filter(pk=found.appointment_id).values_list("pk"))
    token = _usable_token(raw, lock=True)
    template = token.template
    answers, errors = check_answers(template.fields, responses)
    if errors:
        raise InvalidAnswers(errors)
    now = timezone.now()
    spent = IntakeToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=now)
    if spent != 1:
        raise AlreadySubmitted(appointment=token.appointment)
    appointment = token.appointment
    submission = IntakeSubmission.objects.create(
        clinic_id=appointment.clinic_id,
        template=template,
        template_version=template.version,
        template_fields=template.fields,
        appointment=appointment,
        patient_id=token.patient_id,
        responses=answers,
        submitted_at=now,
        ai_summary_requested_at=now,
        ai_summary_attempts=1,
    )
    Appointment.objects.filter(pk=appointment.pk).update(
        intake_status=IntakeStatus.COMPLETED, updated_at=now
    )
    signals.intake_completed.send(
        sender=IntakeSubmission, appointment=appointment, submission=submission, by=None
    )
    enqueue(generate_summary_job, str(submission.pk), timeout=settings.SUMMARY_JOB_TIMEOUT_SECONDS)
    return submission


# Summaries -----------------------------------------------------------------------------


def submission_regenerate_summary(*, submission: IntakeSubmission) -> IntakeSubmission:
    """Queues the summary again (after a failure, or to refresh it): a new request,
    with its own attempts."""
    with transaction.atomic():
        IntakeSubmission.objects.filter(pk=submission.pk).update(
            ai_summary_status=IntakeSubmission.SummaryStatus.PENDING,
            ai_summary_error="",
            ai_summary_requested_at=timezone.now(),
            ai_summary_attempts=1,
        )
        enqueue(
            generate_summary_job, str(submission.pk), timeout=settings.SUMMARY_JOB_TIMEOUT_SECONDS
        )
    submission.refresh_from_db()
    return submission


@dataclass(frozen=True)
class Sweep:
    requeued: int
    gave_up: int


def summaries_sweep(*, now: datetime | None = None, limit: int = 200) -> Sweep:
    """Queues again every owed summary whose job is overdue, and fails those out of
    attempts (the cron process runs it every minute; ``manage.py sweep_summaries``
    by hand).

    A summary is owed while it is ``pending``. It is overdue when it was last queued
    more than ``SUMMARY_RETRY_SECONDS`` ago, doubled for every earlier try: its job
    was lost (a worker killed mid-job, Redis restarted with the queue, an enqueue
    that failed after commit) or its try failed and left it pending. Each row is
    claimed with a conditional update, so two sweepers never queue one twice.
    """
    now = now or timezone.now()
    base = settings.SUMMARY_RETRY_SECONDS
    owed = IntakeSubmission.objects.filter(
        ai_summary_status=IntakeSubmission.SummaryStatus.PENDING,
        ai_summary_requested_at__lte=now - timedelta(seconds=base),
    ).order_by("ai_summary_requested_at")
    requeued = gave_up = 0
    for pk, queued_at, attempts, error in owed.values_list(
        "pk", "ai_summary_requested_at", "ai_summary_attempts", "ai_summary_error"
    )[:limit]:
        if queued_at > now - timedelta(seconds=base * 2 ** max(attempts - 1, 0)):
            continue  # backing off
        claim = IntakeSubmission.objects.filter(
            pk=pk,
            ai_summary_status=IntakeSubmission.SummaryStatus.PENDING,
            ai_summary_attempts=attempts,
        )
        if attempts >= settings.SUMMARY_MAX_ATTEMPTS:
            reason = f"No summary after {attempts} attempts" + (f": {error}" if error else ".")
            gave_up += claim.update(
                ai_summary_status=IntakeSubmission.SummaryStatus.FAILED,
                ai_summary_error=reason[:255],
            )
            continue
        with transaction.atomic():
            if claim.update(ai_summary_requested_at=now, ai_summary_attempts=attempts + 1):
                enqueue(generate_summary_job, str(pk), timeout=settings.SUMMARY_JOB_TIMEOUT_SECONDS)
                requeued += 1
    if requeued or gave_up:
        logger.warning("Summary sweep: %d queued again, %d given up", requeued, gave_up)
    return Sweep(requeued=requeued, gave_up=gave_up)
