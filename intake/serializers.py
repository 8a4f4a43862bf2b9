from rest_framework import serializers

from accounts.serializers import DoctorRefSerializer
from clinicflow.fields import BooleanField, ScopedInputSerializer
from intake.forms import check_field_definitions
from intake.models import FieldType, IntakeFormTemplate, IntakeSubmission, Topic
from intake.selectors import template_list
from patients.serializers import PatientRefSerializer


class FieldDefinitionSerializer(serializers.Serializer):
    """One question of a form (documentation of the shape; checked in intake.forms)."""

    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=FieldType.values)
    required = BooleanField(default=False)
    options = serializers.ListField(child=serializers.CharField(), required=False)
    help_text = serializers.CharField(required=False)
    max_length = serializers.IntegerField(required=False, help_text="text and textarea")
    min = serializers.FloatField(required=False, help_text="number")
    max = serializers.FloatField(required=False, help_text="number")
    topic = serializers.ChoiceField(
        choices=Topic.values,
        required=False,
        help_text=(
            "What the question is about, for the doctor's summary. Without it the summary "
            "reads the topic from the label and key, then from the answer."
        ),
    )


class SummarySourceSerializer(serializers.Serializer):
    """One line of a summary and the answers it came from."""

    bullet = serializers.CharField(help_text='The line as in ai_summary, without "• ".')
    topic = serializers.ChoiceField(choices=Topic.values)
    field_keys = serializers.ListField(
        child=serializers.CharField(),
        help_text="Keys of the answers the line came from, in the form's order; empty for "
        '"not asked" and for a note of the check.',
    )
    flagged = BooleanField(
        help_text="Written by the check of an AI summary (a dropped fact put back, or a "
        "note of what was taken out), not by the summarizer."
    )


class TemplateSerializer(serializers.ModelSerializer):
    fields = FieldDefinitionSerializer(many=True)

    class Meta:
        model = IntakeFormTemplate
        fields = [
            "id",
            "name",
            "description",
            "fields",
            "version",
            "is_active",
            "created_at",
            "updated_at",
        ]


class TemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    fields = serializers.JSONField(help_text="A list of {key, label, type, required, options?}.")
    is_active = BooleanField(required=False, default=True)

    def validate_fields(self, value):
        clean, errors = check_field_definitions(value)
        if errors:
            raise serializers.ValidationError(errors)
        return clean


class SendIntakeInputSerializer(ScopedInputSerializer):
    template_id = serializers.PrimaryKeyRelatedField(
        queryset=IntakeFormTemplate.objects.none(),
        source="template",
        error_messages={
            "does_not_exist": "Unknown template.",
            "incorrect_type": "Unknown template.",
        },
    )

    def scoped_querysets(self, user) -> dict:
        return {"template_id": template_list(user=user)}


class SendIntakeOutputSerializer(serializers.Serializer):
    intake_url = serializers.URLField()
    expires_at = serializers.DateTimeField()
    channels = serializers.ListField(
        child=serializers.CharField(), help_text="Where the link is being sent: email, sms."
    )


class SubmissionSerializer(serializers.ModelSerializer):
    patient = PatientRefSerializer()
    ai_summary_sources = SummarySourceSerializer(
        many=True, help_text="One entry per line of ai_summary, in the same order."
    )
    doctor = DoctorRefSerializer(source="appointment.doctor")
    template_name = serializers.CharField(source="template.name")
    appointment_date = serializers.DateField(source="appointment.scheduled_date")

    class Meta:
        model = IntakeSubmission
        fields = [
            "id",
            "appointment_id",
            "appointment_date",
            "patient",
            "doctor",
            "template_id",
            "template_name",
            "template_version",
            "submitted_at",
            "ai_summary",
            "ai_summary_status",
            "ai_summary_source",
            "ai_summary_generated_at",
            "ai_summary_error",
            "ai_summary_sources",
            "ai_summary_needs_review",
            "ai_summary_requested_at",
            "ai_summary_attempts",
        ]


class SubmissionDetailSerializer(SubmissionSerializer):
    """A submission with the answers and the questions as the patient saw them."""

    template_fields = FieldDefinitionSerializer(many=True)

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "template_fields", "responses"]


class SubmissionQuerySerializer(serializers.Serializer):
    appointment_id = serializers.UUIDField(required=False)
    patient_id = serializers.UUIDField(required=False)
    ai_summary_status = serializers.ChoiceField(
        choices=IntakeSubmission.SummaryStatus.choices, required=False
    )


class PublicFormSerializer(serializers.Serializer):
    """What a patient's link shows (guide §5b): first name only, no other PII."""

    patient_name = serializers.CharField()
    clinic_name = serializers.CharField()
    doctor_name = serializers.CharField()
    appointment_date = serializers.DateField()
    appointment_time = serializers.CharField(help_text='Like "10:00 AM".')
    expires_at = serializers.DateTimeField()
    form = serializers.DictField()


class PublicSubmitInputSerializer(serializers.Serializer):
    responses = serializers.JSONField()


class PublicSubmitOutputSerializer(serializers.Serializer):
    success = BooleanField()
    message = serializers.CharField()


def public_form_data(token) -> dict:
    """The public view of a link: enough to fill the form, nothing more."""
    appointment = token.appointment
    return {
        "patient_name": token.patient.first_name,
        "clinic_name": appointment.clinic.name,
        "doctor_name": appointment.doctor.name,
        "appointment_date": appointment.scheduled_date,
        "appointment_time": appointment.start_time.strftime("%-I:%M %p"),
        "expires_at": token.expires_at,
        "form": {
            "name": token.template.name,
            "description": token.template.description,
            "fields": token.template.fields,
        },
    }
