from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import F, Q

from accounts.models import Clinic, Doctor, User, VisitType
from clinicflow.db import ClinicQuerySet, TimestampedModel, UUIDModel
from patients.models import Patient


class AppointmentStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    CONFIRMED = "confirmed", "Confirmed"
    ARRIVED = "arrived", "Arrived"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class IntakeStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Not sent"
    SENT = "sent", "Sent"
    COMPLETED = "completed", "Completed"
    SKIPPED = "skipped", "Skipped"


# Open: booked and still to happen, the patient not yet arrived. Only an open visit
# is confirmed, sent its intake form, or counted as missing intake.
OPEN_STATUSES = (AppointmentStatus.UNCONFIRMED, AppointmentStatus.CONFIRMED)

# Live: holds the doctor's time (conflicts, free slots, the day's total); everything
# but cancelled and no-show, so it includes open, running and completed visits.
LIVE_STATUSES = (
    AppointmentStatus.UNCONFIRMED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.IN_PROGRESS,
    AppointmentStatus.COMPLETED,
)

# Intake the clinic still waits for (skipped is a decision, not a gap).
MISSING_INTAKE_STATUSES = (IntakeStatus.NOT_SENT, IntakeStatus.SENT)

# The Needs Attention Queue's default window: today and the seven days after it.
NEEDS_ATTENTION_DAYS = 7


class AppointmentQuerySet(ClinicQuerySet):
    """The clinic's words for sets of appointments, each defined once, here.

    Each concept is also given as a ``Q`` (``..._q()``), so that a count inside one
    aggregate (``Count("id", filter=AppointmentQuerySet.missing_intake_q())``) and
    the list it counts read the same condition; the methods filter by it.
    """

    doctor_lookup = "doctor__user"

    @staticmethod
    def open_q() -> Q:
        return Q(status__in=OPEN_STATUSES)

    @staticmethod
    def live_q() -> Q:
        return Q(status__in=LIVE_STATUSES)

    @staticmethod
    def missing_intake_q() -> Q:
        """Open, its intake form not sent or sent and not answered, and the
        appointment's clinic requires intake (``intake_required``, read in the same
        query, so a queryset that spans clinics applies each clinic's rule)."""
        return Q(
            status__in=OPEN_STATUSES,
            intake_status__in=MISSING_INTAKE_STATUSES,
            clinic__settings__intake_required=True,
        )

    @staticmethod
    def attention_q(*, now: datetime, days: int = NEEDS_ATTENTION_DAYS) -> Q:
        """See ``needing_attention``."""
        if not isinstance(now.tzinfo, ZoneInfo):
            raise TypeError("now is the clinic's local time: clinic_now(clinic).")
        today = now.date()
        window = Q(
            scheduled_date__gte=today,
            scheduled_date__lte=today + timedelta(days=days),
            starts_at__gte=now,
        )
        reasons = (
            Q(status=AppointmentStatus.UNCONFIRMED)
            | AppointmentQuerySet.missing_intake_q()
            | Q(needs_attention=True)
        )
        return Q(status__in=OPEN_STATUSES) & window & reasons

    def open(self):
        """Booked and still to happen: unconfirmed or confirmed, whatever the date."""
        return self.filter(self.open_q())

    def live(self):
        """Holding the doctor's time: every status but cancelled and no-show."""
        return self.filter(self.live_q())

    def missing_intake(self):
        """Open visits whose required intake has not come in (``missing_intake_q``).
        No window: the caller picks the days (a day's card, the queue's window)."""
        return self.filter(self.missing_intake_q())

    def needing_attention(self, *, now: datetime, days: int = NEEDS_ATTENTION_DAYS):
        """What the front desk should act on: open visits that have not begun by
        ``now`` and fall on the clinic's today or one of the ``days`` days after it,
        and that are unconfirmed, missing intake, or flagged by staff
        (``Appointment.needs_attention``).

        ``now`` is the clinic's wall clock (``clinic_now(clinic)``): its date is the
        clinic's today, so a queryset of one clinic's rows. A visit that began
        before ``now`` and is still open is left to the check-in and the no-show
        rule: there is nothing left to confirm or to send ahead of it.
        """
        return self.filter(self.attention_q(now=now, days=days))

    def visible_to(self, user, *, counts_only: bool = False):
        """An admin sees the clinic's appointments, a doctor their own, an owner
        none; with ``counts_only`` an owner may count the clinic's (the metrics)
        without reading a row."""
        if counts_only and user.is_owner:
            return self.filter(clinic_id=user.clinic_id)
        return super().visible_to(user)


class Appointment(TimestampedModel):
    """A booked visit. ``scheduled_date``/``start_time``/``end_time`` are the clinic's
    wall clock (as the guide and frontend speak); ``starts_at``/``ends_at`` are the
    same moments as aware timestamps, which DST-safe arithmetic and the overlap
    guard use.

    ``needs_attention`` is the staff's own flag on a visit ("look at this one",
    with ``attention_reason``), set and cleared through ``PUT /api/appointments/:id``;
    nothing computes it. Whether a visit *needs attention* is
    ``Appointment.objects.needing_attention()``, which counts the flag as one
    reason beside unconfirmed and missing intake, under the same rule: the visit
    is open and in the window. So the Needs Attention Queue (its
    ``flagged_appointments`` list and count) and ``/api/patients?needs_attention``
    read the flag, and the other reasons are never stored.
    """

    class VisitCategory(models.TextChoices):
        NEW_PATIENT = "new_patient", "New patient"
        FOLLOW_UP = "follow_up", "Follow-up"

    class IntakePath(models.TextChoices):
        SEND_NOW = "send_now", "Send now"
        SEND_LATER = "send_later", "Send later"
        SKIP = "skip", "Skip"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")

    scheduled_date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    duration = models.PositiveSmallIntegerField(default=30, help_text="Minutes.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    visit_type = models.CharField(max_length=10, choices=VisitType.choices)
    visit_category = models.CharField(
        max_length=20, choices=VisitCategory.choices, default=VisitCategory.FOLLOW_UP
    )
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.UNCONFIRMED
    )

    arrived = models.BooleanField(default=False)
    arrived_at = models.DateTimeField(null=True, blank=True)
    visit_reason = models.CharField(max_length=500, blank=True)

    intake_status = models.CharField(
        max_length=20, choices=IntakeStatus.choices, default=IntakeStatus.NOT_SENT
    )
    intake_path = models.CharField(
        max_length=20, choices=IntakePath.choices, default=IntakePath.SEND_LATER
    )
    intake_form = models.ForeignKey(
        "intake.IntakeFormTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )

    # Staff's own flag and its reason (see the docstring); never computed.
    needs_attention = models.BooleanField(default=False)
    attention_reason = models.CharField(max_length=100, blank=True)
    meeting_link = models.URLField(max_length=500, blank=True)
    # Booked over another live appointment (clinic allows overlap, or an admin forced it).
    overlap_allowed = models.BooleanField(default=False)

    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        db_table = "appointments"
        ordering = ["scheduled_date", "start_time"]
        indexes = [
            models.Index(
                fields=["clinic", "doctor", "scheduled_date"], name="idx_appointments_schedule"
            ),
            models.Index(fields=["patient"], name="idx_appointments_patient"),
            models.Index(fields=["doctor", "starts_at"], name="idx_appointments_doctor_start"),
            models.Index(
                fields=["clinic", "scheduled_date", "status"], name="idx_appointments_day"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="scheduling_appointment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(duration__gt=0) & Q(duration__lte=480),
                name="scheduling_appointment_duration",
            ),
        ]

    def __str__(self):
        return f"{self.patient} with {self.doctor} on {self.scheduled_date} {self.start_time:%H:%M}"

    @property
    def is_open(self) -> bool:
        """Still to happen (``Appointment.objects.open()``, one row at a time)."""
        return self.status in OPEN_STATUSES

    @property
    def is_live(self) -> bool:
        """Holds the doctor's time: not cancelled, not a no-show (``.live()``)."""
        return self.status in LIVE_STATUSES


class CancellationQuerySet(ClinicQuerySet):
    """Admins see the clinic's cancellations; a doctor those of their own visits."""

    doctor_lookup = "doctor__user"


class Cancellation(UUIDModel):
    """Every cancellation and no-show, with the appointment's original date and time."""

    class Type(models.TextChoices):
        PATIENT_CANCELLED = "patient_cancelled", "Patient cancelled"
        NO_SHOW = "no_show", "No-show"
        RESCHEDULED_EXTERNALLY = "rescheduled_externally", "Rescheduled externally"
        CLINIC_CANCELLED = "clinic_cancelled", "Clinic cancelled"
        OTHER = "other", "Other"

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="cancellations"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="cancellations")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cancellations")
    doctor = models.ForeignKey(
        Doctor, on_delete=models.SET_NULL, null=True, blank=True, related_name="cancellations"
    )
    cancellation_type = models.CharField(max_length=30, choices=Type.choices)
    reason_note = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_by_name = models.CharField(max_length=255, blank=True)
    original_date = models.DateField()
    original_time = models.TimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CancellationQuerySet.as_manager()

    class Meta:
        db_table = "cancellations"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["patient"], name="idx_cancellations_patient"),
            models.Index(fields=["clinic", "-created_at"], name="idx_cancellations_clinic"),
        ]

    def __str__(self):
        return f"{self.get_cancellation_type_display()}: {self.appointment}"
