"""The numbers and queues staff watch all day, each counted in the database.

Every count here is the ``count`` of a list endpoint with the same filters (the
docstrings say which), so a hero card never disagrees with the list behind it.
"""

from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery, Window
from django.db.models.functions import Left
from django.utils import timezone

from accounts.clock import clinic_now
from accounts.models import User
from intake.models import IntakeSubmission
from notes.models import FollowUp
from scheduling.models import (
    NEEDS_ATTENTION_DAYS,
    Appointment,
    AppointmentQuerySet,
    AppointmentStatus,
    Cancellation,
    IntakeStatus,
)

S = AppointmentStatus


def _day_counts(appointments) -> dict[str, int]:
    """``missing_intake`` is ``Appointment.objects.missing_intake()`` of the day
    (``/api/appointments?status=unconfirmed,confirmed&intake_status=not_sent,sent``
    where the clinic requires intake): the whole day, begun or not."""
    return appointments.aggregate(
        total=Count("id", filter=AppointmentQuerySet.live_q()),
        unconfirmed=Count("id", filter=Q(status=S.UNCONFIRMED)),
        confirmed=Count("id", filter=Q(status=S.CONFIRMED)),
        arrived=Count("id", filter=Q(status=S.ARRIVED)),
        in_progress=Count("id", filter=Q(status=S.IN_PROGRESS)),
        completed=Count("id", filter=Q(status=S.COMPLETED)),
        cancelled=Count("id", filter=Q(status=S.CANCELLED)),
        no_show=Count("id", filter=Q(status=S.NO_SHOW)),
        missing_intake=Count("id", filter=AppointmentQuerySet.missing_intake_q()),
    )


def admin_summary(*, user: User, day: date) -> dict:
    """The clinic's hero cards for ``day`` (one query). ``total_appointments`` counts
    the day's live appointments (``?date=&status=`` every status but cancelled and
    no_show); each other key is ``?date=&status=<that status>``."""
    counts = _day_counts(Appointment.objects.visible_to(user).filter(scheduled_date=day))
    return {
        "date": day,
        "total_appointments": counts["total"],
        "confirmed": counts["confirmed"],
        "unconfirmed": counts["unconfirmed"],
        "missing_intake": counts["missing_intake"],
        "arrived": counts["arrived"],
        "in_progress": counts["in_progress"],
        "completed": counts["completed"],
        "cancelled_today": counts["cancelled"],
        "no_shows_today": counts["no_show"],
    }


def doctor_summary(*, user: User, day: date) -> dict:
    """A doctor's own cards for ``day`` (one query), the same rules as the admin's."""
    counts = _day_counts(Appointment.objects.visible_to(user).filter(scheduled_date=day))
    return {
        "date": day,
        "my_appointments": counts["total"],
        "confirmed": counts["confirmed"],
        "unconfirmed": counts["unconfirmed"],
        "missing_intake": counts["missing_intake"],
        "arrived": counts["arrived"],
        "in_progress": counts["in_progress"],
        "completed": counts["completed"],
    }


ATTENTION_FIELDS = (
    "id",
    "scheduled_date",
    "start_time",
    "status",
    "intake_status",
    "visit_type",
    "patient_id",
    "patient__first_name",
    "patient__last_name",
    "patient__phone",
    "doctor_id",
    "doctor__name",
    "needs_attention",
    "attention_reason",
)


def _attention_rows(queryset, limit):
    rows = []
    for values in queryset.order_by("starts_at", "id").values(*ATTENTION_FIELDS)[:limit]:
        rows.append(
            {
                "appointment_id": values["id"],
                "date": values["scheduled_date"],
                "time": f"{values['start_time']:%H:%M}",
                "status": values["status"],
                "intake_status": values["intake_status"],
                "visit_type": values["visit_type"],
                "patient": {
                    "id": values["patient_id"],
                    "name": f"{values['patient__first_name']} {values['patient__last_name']}",
                    "phone": values["patient__phone"],
                },
                "doctor": {"id": values["doctor_id"], "name": values["doctor__name"]},
                "needs_attention": values["needs_attention"],
                "attention_reason": values["attention_reason"],
            }
        )
    return rows


def needs_attention(*, user: User, days: int = NEEDS_ATTENTION_DAYS, limit: int = 50) -> dict:
    """The Needs Attention Queue, as the user may see it (the view admits admins):
    ``Appointment.objects.needing_attention`` from now to ``days`` ahead (clinic
    time), split by reason (unconfirmed, missing intake, flagged by staff; a visit
    with two reasons is in both lists), and pending follow-ups due by the window's
    last day with no appointment booked. Each list holds at most ``limit`` items,
    soonest first; ``counts`` has the full numbers (six queries in all)."""
    now = clinic_now(user.clinic)
    today = now.date()
    until = today + timedelta(days=days)
    upcoming = Appointment.objects.visible_to(user).needing_attention(now=now, days=days)
    unconfirmed = upcoming.filter(status=S.UNCONFIRMED)
    missing = upcoming.missing_intake()
    flagged = upcoming.filter(needs_attention=True)
    counts = upcoming.aggregate(
        unconfirmed_appointments=Count("id", filter=Q(status=S.UNCONFIRMED)),
        missing_intake=Count("id", filter=AppointmentQuerySet.missing_intake_q()),
        flagged_appointments=Count("id", filter=Q(needs_attention=True)),
    )
    # The full count rides on the list's own query (a window over every row, taken
    # before the cut), so the queue stays at six queries.
    follow_ups = list(
        FollowUp.objects.visible_to(user)
        .filter(
            status=FollowUp.Status.PENDING,
            follow_up_appointment__isnull=True,
            scheduled_date__lte=until,
        )
        .select_related("patient", "doctor")
        .annotate(total=Window(Count("id")))
        .order_by("scheduled_date", "id")[:limit]
    )
    counts["pending_follow_ups"] = follow_ups[0].total if follow_ups else 0
    return {
        "window_days": days,
        "counts": counts,
        "unconfirmed_appointments": _attention_rows(unconfirmed, limit),
        "missing_intake": _attention_rows(missing, limit),
        "flagged_appointments": _attention_rows(flagged, limit),
        "pending_follow_ups": [
            {
                "follow_up_id": f.id,
                "due_date": f.scheduled_date,
                "overdue": f.scheduled_date < today,
                "note": f.note,
                "patient": {
                    "id": f.patient_id,
                    "name": f.patient.full_name,
                    "phone": f.patient.phone,
                },
                "doctor": {"id": f.doctor_id, "name": f.doctor.name},
            }
            for f in follow_ups
        ],
    }


def recent_cancellations(*, user: User, days: int):
    """Cancellations and no-shows recorded in the last ``days`` days, newest first:
    the clinic's for admins, a doctor's own, none for owners."""
    since = timezone.now() - timedelta(days=days)
    return (
        Cancellation.objects.visible_to(user)
        .filter(created_at__gte=since)
        .select_related("patient", "doctor")
        .order_by("-created_at")
    )


def doctor_today(*, user: User, day: date) -> list[dict]:
    """A doctor's day with what they need to prepare: the latest intake summary's
    first 100 characters beside each visit (two queries in all)."""
    latest_summary = (
        IntakeSubmission.objects.filter(appointment=OuterRef("pk"))
        .order_by("-submitted_at")
        .values("ai_summary")[:1]
    )
    appointments = (
        Appointment.objects.visible_to(user)
        .live()
        .filter(scheduled_date=day)
        .select_related("patient")
        .annotate(summary_preview=Left(Subquery(latest_summary), 100))
        .order_by("start_time", "id")
    )
    return [
        {
            "appointment_id": a.id,
            "patient": {
                "id": a.patient_id,
                "name": a.patient.full_name,
                "date_of_birth": a.patient.date_of_birth,
                "flags": a.patient.flags,
            },
            "time": f"{a.start_time:%H:%M}",
            "end_time": f"{a.end_time:%H:%M}",
            "status": a.status,
            "intake_status": a.intake_status,
            "intake_complete": a.intake_status == IntakeStatus.COMPLETED,
            "intake_summary_preview": a.summary_preview or None,
            "visit_type": a.visit_type,
            "visit_reason": a.visit_reason,
            "meeting_link": a.meeting_link,
        }
        for a in appointments
    ]


def appointment_metrics(*, user: User, date_from: date, date_to: date) -> list[dict]:
    """Per-day appointment counts by status for the clinic (one grouped query):
    admins and owners count the clinic's, a doctor their own.
    Counts only: no names, no ids, nothing about a patient."""
    rows = (
        Appointment.objects.visible_to(user, counts_only=True)
        .filter(scheduled_date__range=(date_from, date_to))
        .values("scheduled_date")
        .annotate(
            total=Count("id"),
            **{status: Count("id", filter=Q(status=status)) for status in S.values},
        )
        .order_by("scheduled_date")
    )
    by_day = {row.pop("scheduled_date"): row for row in rows}
    empty = {"total": 0, **dict.fromkeys(S.values, 0)}
    span = (date_to - date_from).days + 1
    return [
        {"date": day, **by_day.get(day, empty)}
        for day in (date_from + timedelta(days=n) for n in range(span))
    ]


def clinic_day_counts(*, clinic_id, day: date) -> dict:
    """One day's appointment counts by status (what owners see live): counts only."""
    counts = Appointment.objects.filter(clinic_id=clinic_id, scheduled_date=day).aggregate(
        total=Count("id"), **{status: Count("id", filter=Q(status=status)) for status in S.values}
    )
    return {"date": day.isoformat(), **counts}
