from django.db import models
from django.db.models import F, Q

from accounts.clock import clinic_today
from accounts.models import Clinic, Doctor, User, VisitType
from clinicflow.db import TimestampedModel, UUIDModel
from patients.models import Patient


class AppointmentStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    CONFIRMED = "confirmed", "Confirmed"
    ARRIVED = "arrived", "Arrived"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Statuses that hold the doctor's time: everything but cancelled and no-show.
LIVE_STATUSES = (
    AppointmentStatus.UNCONFIRMED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.IN_PROGRESS,
    AppointmentStatus.COMPLETED,
)


class IntakeStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Not sent"
    SENT = "sent", "Sent"
    COMPLETED = "completed", "Completed"
    SKIPPED = "skipped", "Skipped"


class AppointmentQuerySet(models.QuerySet):
    def needing_attention(self, *, user: User) -> "AppointmentQuerySet":
        """Upcoming (from today, clinic time) appointments that are unconfirmed or still
        lack the intake the clinic requires; a doctor's own only; none for other roles.

        A method here rather than a selector so that patients (below scheduling) can
        filter on it through ``Patient.appointments`` without importing scheduling.
        """
        clinic = user.clinic
        reasons = Q(status=AppointmentStatus.UNCONFIRMED)
        if clinic.settings.intake_required:
            reasons |= Q(intake_status__in=[IntakeStatus.NOT_SENT, IntakeStatus.SENT])
        upcoming = self.filter(
            clinic=clinic,
            scheduled_date__gte=clinic_today(clinic),
            status__in=[AppointmentStatus.UNCONFIRMED, AppointmentStatus.CONFIRMED],
        ).filter(reasons)
        if user.is_doctor:
            upcoming = upcoming.filter(doctor__user=user)
        elif not user.is_admin:
            return upcoming.none()
        return upcoming


class Appointment(TimestampedModel):
    """A booked visit. ``scheduled_date``/``start_time``/``end_time`` are the clinic's
    wall clock (as the guide and frontend speak); ``starts_at``/``ends_at`` are the
    same moments as aware timestamps, which DST-safe arithmetic and the overlap
    guard use."""

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

    class Meta:
        db_table = "cancellations"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["patient"], name="idx_cancellations_patient"),
            models.Index(fields=["clinic", "-created_at"], name="idx_cancellations_clinic"),
        ]

    def __str__(self):
        return f"{self.get_cancellation_type_display()}: {self.appointment}"
