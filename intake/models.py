from django.db import models
from django.db.models import Q

from accounts.models import Clinic
from clinicflow.db import ClinicQuerySet, TimestampedModel, UUIDModel
from patients.models import Patient
from scheduling.models import Appointment


class FieldType(models.TextChoices):
    TEXT = "text", "Short text"
    TEXTAREA = "textarea", "Long text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    SELECT = "select", "Choose one"
    MULTISELECT = "multiselect", "Choose several"
    CHECKBOX = "checkbox", "Checkbox"


class Topic(models.TextChoices):
    """What a question is about, for the doctor's summary; the summary's bullets
    follow this order."""

    CHIEF_COMPLAINT = "chief_complaint", "Chief complaint"
    MEDICATIONS = "medications", "Medications"
    ALLERGIES = "allergies", "Allergies"
    HISTORY = "history", "History"
    CONCERNS = "concerns", "Concerns"
    OTHER = "other", "Other answers"


class IntakeFormTemplateQuerySet(ClinicQuerySet):
    """Admins see the clinic's forms; nobody else manages them (``doctor_lookup``
    is None)."""


class IntakeFormTemplate(TimestampedModel):
    """A clinic's intake form: a list of ``{key, label, type, required, options?, topic?}``.

    ``version`` goes up on every change of ``fields``; a submission keeps a copy of
    the fields the patient answered, so later edits never break it.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="intake_templates")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    fields = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)

    objects = IntakeFormTemplateQuerySet.as_manager()

    class Meta:
        db_table = "intake_form_templates"
        ordering = ["name"]

    def __str__(self):
        return self.name


class IntakeSubmissionQuerySet(ClinicQuerySet):
    """Admins see the clinic's submissions; a doctor those for their own
    appointments; owners none."""

    doctor_lookup = "appointment__doctor__user"


class IntakeSubmission(UUIDModel):
    class SummaryStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class SummarySource(models.TextChoices):
        OPENAI = "openai", "OpenAI"
        LOCAL = "local", "Local summarizer"
        FALLBACK = "fallback", "Local summarizer (OpenAI's reply was unusable)"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="intake_submissions")
    template = models.ForeignKey(
        IntakeFormTemplate, on_delete=models.PROTECT, related_name="submissions"
    )
    template_version = models.PositiveIntegerField()
    template_fields = models.JSONField(help_text="The fields as the patient saw them.")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="intake_submissions"
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="intake_submissions"
    )

    responses = models.JSONField()

    ai_summary = models.TextField(blank=True)
    ai_summary_status = models.CharField(
        max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.PENDING
    )
    ai_summary_source = models.CharField(max_length=10, choices=SummarySource.choices, blank=True)
    ai_summary_generated_at = models.DateTimeField(null=True, blank=True)
    ai_summary_error = models.CharField(max_length=255, blank=True)
    ai_summary_sources = models.JSONField(
        default=list,
        blank=True,
        help_text="One {bullet, topic, field_keys} per line of the summary.",
    )
    ai_summary_needs_review = models.BooleanField(
        default=False,
        help_text="The check of an AI summary found a dropped, invented or denied fact.",
    )
    # Whether a summary is owed is this row's state, not a message in Redis: pending
    # means owed, and the sweeper (intake.services.summaries_sweep) queues it again
    # when a job was lost, until ai_summary_attempts runs out.
    ai_summary_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the summary was last queued."
    )
    ai_summary_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times the summary has been queued for this request."
    )

    submitted_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IntakeSubmissionQuerySet.as_manager()

    class Meta:
        db_table = "intake_submissions"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["clinic", "-submitted_at"], name="intake_submissions_clinic_idx"),
            models.Index(fields=["appointment"], name="intake_submissions_appt_idx"),
            models.Index(
                fields=["ai_summary_status", "ai_summary_requested_at"],
                name="intake_submissions_owed_idx",
            ),
        ]

    def __str__(self):
        return f"Intake of {self.patient} for {self.appointment.scheduled_date}"


class IntakeToken(UUIDModel):
    """A one-time link to an intake form. ``token`` is the SHA-256 of the secret in
    the link; the secret itself is never stored."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="intake_tokens"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="intake_tokens")
    template = models.ForeignKey(
        IntakeFormTemplate, on_delete=models.PROTECT, related_name="tokens"
    )
    token = models.CharField(max_length=100, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "intake_tokens"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["appointment"], name="idx_intake_tokens_appointment")]
        constraints = [
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="intake_intaketoken_used_or_revoked",
            ),
        ]

    def __str__(self):
        return f"Intake link for {self.appointment}"
