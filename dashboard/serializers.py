from datetime import timedelta

from rest_framework import serializers

from scheduling.clock import clinic_today
from scheduling.models import NEEDS_ATTENTION_DAYS, AppointmentStatus

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
