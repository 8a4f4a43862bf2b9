from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from accounts.permissions import ADMIN, ADMIN_OR_DOCTOR, ADMIN_OR_OWNER, DOCTOR, HasRole
from clinicflow.api import APIView, ListAPIView
from clinicflow.fields import HHMMField
from dashboard import selectors
from dashboard.serializers import (
    AdminSummarySerializer,
    AppointmentDetailSerializer,
    CancellationsQuerySerializer,
    DoctorSummarySerializer,
    MetricsQuerySerializer,
    MetricsSerializer,
    NeedsAttentionQuerySerializer,
    PreparationSerializer,
)
from intake.selectors import latest_submission
from scheduling.models import Cancellation, IntakeStatus
from scheduling.selectors import appointment_list, cancellation_counts, previous_visits
from scheduling.serializers import CancellationSerializer, DayQuerySerializer, requested_day


class AdminSummaryView(APIView):
    """The front desk's hero cards for a day."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN
    query_serializer_class = DayQuerySerializer

    @extend_schema(responses={200: AdminSummarySerializer})
    def get(self, request):
        return Response(selectors.admin_summary(user=request.user, day=requested_day(self)))


class NeedsAttentionView(APIView):
    """Unconfirmed appointments, missing intake, visits staff flagged and follow-ups
    to book, soonest first."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN
    query_serializer_class = NeedsAttentionQuerySerializer

    @extend_schema(
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
                    "flagged_appointments": serializers.ListField(child=serializers.DictField()),
                    "pending_follow_ups": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request):
        return Response(selectors.needs_attention(user=request.user, days=self.query["days"]))


class RecentCancellationsView(ListAPIView):
    """Cancellations and no-shows of the last ``days`` days (default 7), newest first."""

    queryset = Cancellation.objects.none()  # the model, for the schema
    serializer_class = CancellationSerializer
    permission_classes = [HasRole]
    allowed_roles = ADMIN
    filter_backends = []
    query_serializer_class = CancellationsQuerySerializer

    def get_queryset(self):
        return selectors.recent_cancellations(user=self.request.user, days=self.query["days"])


class DoctorSummaryView(APIView):
    """A doctor's own cards for a day."""

    permission_classes = [HasRole]
    allowed_roles = DOCTOR
    query_serializer_class = DayQuerySerializer

    @extend_schema(responses={200: DoctorSummarySerializer})
    def get(self, request):
        return Response(selectors.doctor_summary(user=request.user, day=requested_day(self)))


class DoctorTodayView(APIView):
    """A doctor's visits of today with the intake summary preview (100 characters)."""

    permission_classes = [HasRole]
    allowed_roles = DOCTOR
    query_serializer_class = DayQuerySerializer

    @extend_schema(
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
        return Response(selectors.doctor_today(user=request.user, day=requested_day(self)))


class AppointmentMetricsView(APIView):
    """Per-day appointment counts by status (owners and admins): counts only."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN_OR_OWNER
    query_serializer_class = MetricsQuerySerializer

    @extend_schema(responses={200: MetricsSerializer})
    def get(self, request):
        date_from, date_to = self.query["from"], self.query["to"]
        days = selectors.appointment_metrics(
            user=request.user, date_from=date_from, date_to=date_to
        )
        return Response({"from": date_from, "to": date_to, "days": days})


# The appointment drawer and the doctor's preparation view ------------------------------


def _summary(submission, prefix: str) -> dict:
    """The latest submission's summary fields, all None when there is none."""
    names = ("", "_status", "_sources", "_needs_review")
    return {
        f"{prefix}{name}": getattr(submission, f"ai_summary{name}") if submission else None
        for name in names
    }


class AppointmentDrawerView(APIView):
    """Everything the appointment drawer shows; a doctor's history is their own."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN_OR_DOCTOR
    error_statuses = ("404",)

    @extend_schema(
        responses={200: AppointmentDetailSerializer}, operation_id="appointments_detail_retrieve"
    )
    def get(self, request, pk):
        appointment = get_object_or_404(appointment_list(user=request.user), pk=pk)
        submission = latest_submission(appointment=appointment)
        return Response(
            AppointmentDetailSerializer(
                {
                    "appointment": appointment,
                    "patient": appointment.patient,
                    "doctor": appointment.doctor,
                    "intake": {
                        "status": appointment.intake_status,
                        "submission_id": submission.id if submission else None,
                        **_summary(submission, "ai_summary"),
                    },
                    "history": {
                        "previous_visits": previous_visits(
                            user=request.user, appointment=appointment
                        ),
                        **cancellation_counts(user=request.user, patient=appointment.patient),
                    },
                }
            ).data
        )


class PreparationView(APIView):
    """A doctor's pre-visit view: who, why, the intake summary, past visits with them."""

    permission_classes = [HasRole]
    allowed_roles = DOCTOR
    error_statuses = ("404",)

    @extend_schema(
        responses={200: PreparationSerializer}, operation_id="appointments_preparation_retrieve"
    )
    def get(self, request, pk):
        appointment = get_object_or_404(appointment_list(user=request.user), pk=pk)
        submission = latest_submission(appointment=appointment)
        return Response(
            PreparationSerializer(
                {
                    "patient": appointment.patient,
                    "appointment": appointment,
                    **_summary(submission, "intake_summary"),
                    "intake_complete": appointment.intake_status == IntakeStatus.COMPLETED,
                    "previous_visits": previous_visits(user=request.user, appointment=appointment),
                }
            ).data
        )
