from django.db import models
from django.db.models import Q

from accounts.models import Clinic, Doctor, User
from clinicflow.db import ClinicQuerySet, TimestampedModel, UUIDModel
from patients.models import Patient
from scheduling.models import Appointment


class DoctorNoteQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        """The doctor's own notes. Nobody else sees a note: not admins, not owners,
        not another doctor of the same patient."""
        doctor = getattr(user, "doctor", None) if user.is_doctor else None
        if doctor is None:
            return self.none()
        return self.filter(clinic_id=user.clinic_id, doctor=doctor)


class DoctorNote(TimestampedModel):
    """A doctor's private clinical note: only the doctor who wrote it ever sees it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="doctor_notes")
    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="notes")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="doctor_notes")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="doctor_notes"
    )
    content = models.TextField()

    objects = DoctorNoteQuerySet.as_manager()

    class Meta:
        db_table = "doctor_notes"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "doctor"], name="idx_doctor_notes_patient")]

    def __str__(self):
        return f"Note by {self.doctor} on {self.patient}"


class FollowUpQuerySet(ClinicQuerySet):
    """Admins see the clinic's follow-ups; a doctor those they asked for; owners none."""

    doctor_lookup = "doctor__user"


class FollowUp(UUIDModel):
    """A doctor's request to see a patient again by a date; the front desk books it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="follow_ups")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="follow_ups")
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups_requested",
        help_text="The visit the follow-up was asked for in.",
    )
    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="follow_ups")
    scheduled_date = models.DateField(help_text="When the patient should be seen again.")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    follow_up_appointment = models.ForeignKey(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups_fulfilled",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        db_table = "follow_ups"
        ordering = ["scheduled_date"]
        indexes = [
            models.Index(
                fields=["clinic", "status"],
                name="idx_follow_ups_pending",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["doctor", "status"], name="idx_follow_ups_doctor"),
        ]

    def __str__(self):
        return f"Follow-up for {self.patient} by {self.scheduled_date}"
