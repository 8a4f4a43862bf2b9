from datetime import timedelta

from rest_framework import serializers

from accounts.clock import clinic_today
from accounts.models import Doctor
from clinicflow.fields import BooleanField, HHMMField
from intake.serializers import SummarySourceSerializer
from patients.models import Patient
from scheduling.models import NEEDS_ATTENTION_DAYS, Appointment, AppointmentStatus, IntakeStatus
from scheduling.serializers import AppointmentSerializer, VisitSerializer

DEFAULT_METRICS_DAYS = 30
MAX_METRICS_DAYS = 366


class NeedsAttentionQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        required=False,
        default=NEEDS_ATTENTION_DAYS,
        min_value=0,
        max_value=60,
        help_text="How far ahead to look: today and this many days after it.",
    )


class CancellationsQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(required=False, default=7, min_value=1, max_value=365)


class MetricsQuerySerializer(serializers.Serializer):
    """``from``/``to`` inclusive, at most 366 days. Without them: the 30 days up to
    today (clinic time), or 30 days from/to the one given. Needs the ``request``
    in context."""

    to = serializers.DateField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        return fields

    def validate(self, attrs):
        span = timedelta(days=DEFAULT_METRICS_DAYS - 1)
        start, end = attrs.get("from"), attrs.get("to")
        if start is None and end is None:
            end = clinic_today(self.context["request"].user.clinic)
        try:
            if start is None:
                start = end - span
            if end is None:
                end = start + span
        except OverflowError:
            raise serializers.ValidationError(
                {"from": ["Give both ends: the default range would leave the calendar."]}
            ) from None
        if start > end:
            raise serializers.ValidationError({"to": ["Must not be before 'from'."]})
        if (end - start).days >= MAX_METRICS_DAYS:
            raise serializers.ValidationError(
                {"to": [f"A range spans at most {MAX_METRICS_DAYS} days."]}
            )
        return {"from": start, "to": end}


class AdminSummarySerializer(serializers.Serializer):
    date = serializers.DateField()
    total_appointments = serializers.IntegerField(help_text="Live appointments of the day.")
    confirmed = serializers.IntegerField()
    unconfirmed = serializers.IntegerField()
    missing_intake = serializers.IntegerField()
    arrived = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completed = serializers.IntegerField()
    cancelled_today = serializers.IntegerField()
    no_shows_today = serializers.IntegerField()


class DoctorSummarySerializer(serializers.Serializer):
    date = serializers.DateField()
    my_appointments = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    unconfirmed = serializers.IntegerField()
    missing_intake = serializers.IntegerField()
    arrived = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completed = serializers.IntegerField()


class MetricsDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    total = serializers.IntegerField(help_text="Every appointment of the day, whatever its status.")


for _status in AppointmentStatus.values:
    MetricsDaySerializer._declared_fields[_status] = serializers.IntegerField()


class MetricsSerializer(serializers.Serializer):
    days = MetricsDaySerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


# The appointment drawer and the doctor's preparation view ------------------------------


class DetailPatientSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name")

    class Meta:
        model = Patient
        fields = ["id", "name", "email", "phone", "date_of_birth", "flags", "contact_preferences"]


class DetailDoctorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Doctor
        fields = ["id", "name", "specialty"]


class IntakeBriefSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=IntakeStatus.choices)
    submission_id = serializers.UUIDField(allow_null=True)
    ai_summary = serializers.CharField(allow_null=True)
    ai_summary_status = serializers.CharField(allow_null=True)
    ai_summary_sources = SummarySourceSerializer(many=True, allow_null=True)
    ai_summary_needs_review = BooleanField(allow_null=True)


class HistorySerializer(serializers.Serializer):
    previous_visits = VisitSerializer(many=True, help_text="Newest first; a doctor's own only.")
    cancellation_count = serializers.IntegerField()
    no_show_count = serializers.IntegerField()


class AppointmentDetailSerializer(serializers.Serializer):
    appointment = AppointmentSerializer()
    patient = DetailPatientSerializer()
    doctor = DetailDoctorSerializer()
    intake = IntakeBriefSerializer()
    history = HistorySerializer()


class PreparationPatientSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name")

    class Meta:
        model = Patient
        fields = ["id", "name", "date_of_birth", "flags"]


class PreparationAppointmentSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="scheduled_date")
    time = HHMMField(source="start_time")
    end_time = HHMMField()
    reason = serializers.CharField(source="visit_reason")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "date",
            "time",
            "end_time",
            "status",
            "visit_type",
            "visit_category",
            "reason",
        ]


class PreparationSerializer(serializers.Serializer):
    patient = PreparationPatientSerializer()
    appointment = PreparationAppointmentSerializer()
    intake_summary = serializers.CharField(allow_null=True)
    intake_summary_status = serializers.CharField(allow_null=True)
    intake_summary_sources = SummarySourceSerializer(
        many=True, allow_null=True, help_text="One entry per line of intake_summary."
    )
    intake_summary_needs_review = BooleanField(
        allow_null=True, help_text="The check of the AI summary changed it: read the answers."
    )
    intake_complete = BooleanField()
    previous_visits = VisitSerializer(many=True, help_text="With this doctor, newest first.")
