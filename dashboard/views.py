from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import ADMIN, ADMIN_OR_OWNER, DOCTOR, HasRole
from clinicflow.fields import HHMMField, query_params
from dashboard import selectors
from dashboard.serializers import (
    AdminSummarySerializer,
    CancellationsQuerySerializer,
    DoctorSummarySerializer,
    MetricsQuerySerializer,
    MetricsSerializer,
    NeedsAttentionQuerySerializer,
)
from scheduling.clock import clinic_today
from scheduling.models import Cancellation
from scheduling.serializers import CancellationSerializer, DayQuerySerializer, requested_day


class AdminSummaryView(APIView):
    """The front desk's hero cards for a day."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN

    @extend_schema(parameters=[DayQuerySerializer], responses={200: AdminSummarySerializer})
    def get(self, request):
        return Response(selectors.admin_summary(user=request.user, day=requested_day(request)))


class NeedsAttentionView(APIView):
    """Unconfirmed appointments, missing intake and follow-ups to book, soonest first."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN

    @extend_schema(
        parameters=[NeedsAttentionQuerySerializer],
        responses={
            200: inline_serializer(
                "NeedsAttention",
                {
                    "window_days": serializers.IntegerField(),
                    "counts": serializers.DictField(child=serializers.IntegerField()),
                    "unconfirmed_appointments": serializers.ListField(
                        child=serializers.DictField()
                    ),
                    "missing_intake": serializers.ListField(child=serializers.DictField()),
                    "pending_follow_ups": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request):
        days = query_params(NeedsAttentionQuerySerializer, request)["days"]
        return Response(selectors.needs_attention(user=request.user, days=days))


class RecentCancellationsView(generics.ListAPIView):
    """Cancellations and no-shows of the last ``days`` days (default 7), newest first."""

    queryset = Cancellation.objects.none()  # the model, for the schema
    serializer_class = CancellationSerializer
    permission_classes = [HasRole]
    allowed_roles = ADMIN
    filter_backends = []

    def get_queryset(self):
        days = query_params(CancellationsQuerySerializer, self.request)["days"]
        return selectors.recent_cancellations(user=self.request.user, days=days)

    @extend_schema(parameters=[CancellationsQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DoctorSummaryView(APIView):
    """A doctor's own cards for a day."""

    permission_classes = [HasRole]
    allowed_roles = DOCTOR

    @extend_schema(parameters=[DayQuerySerializer], responses={200: DoctorSummarySerializer})
    def get(self, request):
        return Response(selectors.doctor_summary(user=request.user, day=requested_day(request)))


class DoctorTodayView(APIView):
    """A doctor's visits of today with the intake summary preview (100 characters)."""

    permission_classes = [HasRole]
    allowed_roles = DOCTOR

    @extend_schema(
        parameters=[DayQuerySerializer],
        responses={
            200: inline_serializer(
                "DoctorTodayItem",
                {
                    "appointment_id": serializers.UUIDField(),
                    "patient": serializers.DictField(),
                    "time": HHMMField(),
                    "end_time": HHMMField(),
                    "status": serializers.CharField(),
                    "intake_status": serializers.CharField(),
                    "intake_complete": serializers.BooleanField(),
                    "intake_summary_preview": serializers.CharField(allow_null=True),
                    "visit_type": serializers.CharField(),
                    "visit_reason": serializers.CharField(),
                    "meeting_link": serializers.CharField(),
                },
                many=True,
            )
        },
    )
    def get(self, request):
        return Response(selectors.doctor_today(user=request.user, day=requested_day(request)))


class AppointmentMetricsView(APIView):
    """Per-day appointment counts by status (owners and admins): counts only."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN_OR_OWNER

    @extend_schema(parameters=[MetricsQuerySerializer], responses={200: MetricsSerializer})
    def get(self, request):
        query = MetricsQuerySerializer(
            data=request.query_params, context={"today": clinic_today(request.user.clinic)}
        )
        query.is_valid(raise_exception=True)
        date_from, date_to = query.validated_data["from"], query.validated_data["to"]
        days = selectors.appointment_metrics(
            user=request.user, date_from=date_from, date_to=date_to
        )
        return Response({"from": date_from, "to": date_to, "days": days})
