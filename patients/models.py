from django.db import models
from django.db.models import Exists, OuterRef

from accounts.models import Clinic, Doctor
from clinicflow.db import ClinicQuerySet, TimestampedModel, UUIDModel


def default_contact_preferences() -> dict:
    return {"sms": True, "email": True}


class PatientQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        """Admins see the clinic's patients; a doctor those they have a relationship
        with (booked, seen, or primary doctor of); owners none."""
        if not user.is_doctor:
            return super().visible_to(user)
        doctor = getattr(user, "doctor", None)
        if doctor is None:
            return self.none()
        links = DoctorPatientRelationship.objects.filter(doctor=doctor, patient=OuterRef("pk"))
        return self.filter(clinic_id=user.clinic_id).filter(Exists(links))


class Patient(TimestampedModel):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    primary_doctor = models.ForeignKey(
        Doctor, on_delete=models.SET_NULL, null=True, blank=True, related_name="primary_patients"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=255, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    first_visit_date = models.DateField(null=True, blank=True)
    contact_preferences = models.JSONField(default=default_contact_preferences)
    flags = models.JSONField(default=dict, blank=True, help_text="VIP, needs_interpreter, ...")

    objects = PatientQuerySet.as_manager()

    class Meta:
        db_table = "patients"
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(
                fields=["clinic", "last_name", "first_name"], name="patients_clinic_name_idx"
            ),
            models.Index(fields=["clinic", "primary_doctor"], name="patients_clinic_doctor_idx"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class DoctorPatientRelationship(UUIDModel):
    """Which doctors have seen (or are booked to see) which patients.

    A doctor sees a patient's record only through one of these rows.
    """

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="patient_links")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="doctor_links")
    first_visit_date = models.DateTimeField(null=True, blank=True)
    last_visit_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "doctor_patient_relationships"
        constraints = [
            models.UniqueConstraint(
                fields=["doctor", "patient"], name="patients_doctorpatientrelationship_unique"
            ),
        ]

    def __str__(self):
        return f"{self.doctor} - {self.patient}"


class AIInteractionQuerySet(ClinicQuerySet):
    """Admins see the clinic's AI interactions; a doctor those about their own
    appointments (none unlinked to one); owners none."""

    doctor_lookup = "appointment__doctor__user"


class AIInteraction(UUIDModel):
    """A call or message the clinic's voice/messaging AI had with a patient (seeded for the MVP)."""

    class Type(models.TextChoices):
        CALL = "call", "Call"
        MESSAGE = "message", "Message"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        SMS = "sms", "SMS"
        EMAIL = "email", "Email"
        WEB_CHAT = "web_chat", "Web chat"

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Appointment confirmed"
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELLED = "cancelled", "Cancelled"
        BOOKED = "booked", "Appointment booked"
        QUESTION_ANSWERED = "question_answered", "Question answered"
        ESCALATED = "escalated", "Escalated to staff"
        NO_ANSWER = "no_answer", "No answer"
        VOICEMAIL = "voicemail", "Left voicemail"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="ai_interactions")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="ai_interactions")
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ai_interactions",
    )
    interaction_type = models.CharField(max_length=10, choices=Type.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    started_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    summary = models.CharField(max_length=500, blank=True)
    transcript = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AIInteractionQuerySet.as_manager()

    class Meta:
        db_table = "ai_interactions"
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["patient", "-started_at"], name="ai_interactions_patient_idx")
        ]

    def __str__(self):
        return f"{self.get_interaction_type_display()} with {self.patient} at {self.started_at}"
