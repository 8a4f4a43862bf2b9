from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import ADMIN, ADMIN_OR_DOCTOR, DOCTOR, HasRole
from accounts.selectors import doctor_list
from clinicflow.api import APIView, GenericViewSet
from patients import selectors as patient_selectors
from patients.models import Patient
from scheduling import selectors, services
from scheduling.models import Appointment, AppointmentStatus
from scheduling.serializers import (
    AIInteractionSerializer,
    AppointmentQuerySerializer,
    AppointmentSerializer,
    AppointmentUpdateInputSerializer,
    AvailableQuerySerializer,
    AvailableSlotsSerializer,
    BookInputSerializer,
    CancelInputSerializer,
    CancellationSerializer,
    DayQuerySerializer,
    MyScheduleSerializer,
    RescheduleInputSerializer,
    ScheduleGridSerializer,
    VisitSerializer,
    requested_day,
)

S = AppointmentStatus


class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Appointments: admins book and manage them; doctors read their own."""

    queryset = Appointment.objects.none()  # the model, for the schema; get_queryset() scopes
    serializer_class = AppointmentSerializer
    permission_classes = [HasRole]
    allowed_roles = {
        "list": ADMIN_OR_DOCTOR,
        "retrieve": ADMIN_OR_DOCTOR,
        "*": ADMIN,
    }
    error_statuses = ("409",)
    filter_backends = []  # the selector filters
    query_serializer_class = {"list": AppointmentQuerySerializer}

    def get_queryset(self):
        params = {}
        if self.action == "list":
            params = AppointmentQuerySerializer.selector_arguments(self.query)
        return selectors.appointment_list(user=self.request.user, **params)

    def _respond(self, appointment, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=appointment.pk)
        return Response(AppointmentSerializer(fresh).data, status=status_code)

    @extend_schema(request=BookInputSerializer, responses={201: AppointmentSerializer})
    def create(self, request):
        data = BookInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_book(by=request.user, **data.validated_data)
        return self._respond(appointment, status.HTTP_201_CREATED)

    @extend_schema(request=AppointmentUpdateInputSerializer, responses={200: AppointmentSerializer})
    def update(self, request, pk=None):
        """Partial. ``status`` follows the status machine; cancel with the cancel action."""
        appointment = self.get_object()
        data = AppointmentUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_edit(
            appointment=appointment, by=request.user, data=dict(data.validated_data)
        )
        return self._respond(appointment)

    def _move(self, request, target):
        appointment = services.appointment_set_status(
            appointment=self.get_object(), by=request.user, status=target
        )
        return self._respond(appointment)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._move(request, S.CONFIRMED)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def arrived(self, request, pk=None):
        return self._move(request, S.ARRIVED)

    @extend_schema(request=RescheduleInputSerializer, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        appointment = self.get_object()
        data = RescheduleInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_reschedule(
            appointment=appointment, by=request.user, **data.validated_data
        )
        return self._respond(appointment)

    @extend_schema(request=CancelInputSerializer, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        appointment = self.get_object()
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            appointment=appointment, by=request.user, **data.validated_data
        )
        return self._respond(appointment)


class PatientAppointmentsViewSet(GenericViewSet):
    """A patient's record as scheduling keeps it: their visits, cancellations and the
    AI's calls about their appointments, under ``/api/patients/<id>/`` (the patient
    itself is ``patients.views.PatientViewSet``'s)."""

    queryset = Patient.objects.none()  # the model, for the schema; get_queryset() scopes
    permission_classes = [HasRole]
    allowed_roles = {
        "cancellations": ADMIN_OR_DOCTOR,
        "history": ADMIN_OR_DOCTOR,
        "ai_interactions": ADMIN_OR_DOCTOR,
    }
    filter_backends = []  # the selector filters

    def get_queryset(self):
        return patient_selectors.patient_list(user=self.request.user)

    @extend_schema(responses={200: CancellationSerializer(many=True)})
    @action(detail=True, methods=["get"], paginated=True)
    def cancellations(self, request, pk=None):
        """The patient's cancellations and no-shows; a doctor sees those of their own
        appointments only."""
        patient = self.get_object()
        page = self.paginate_queryset(
            selectors.cancellation_list(user=request.user, patient=patient)
        )
        return self.get_paginated_response(CancellationSerializer(page, many=True).data)

    @extend_schema(
        responses={
            200: inline_serializer(
                "PatientHistory",
                {
                    "patient_id": serializers.UUIDField(),
                    "visits": VisitSerializer(many=True),
                    "cancellation_count": serializers.IntegerField(),
                    "no_show_count": serializers.IntegerField(),
                },
            )
        }
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every appointment of the patient, newest first (a doctor: those with them)."""
        patient = self.get_object()
        visits = selectors.appointment_history(user=request.user, patient=patient)
        return Response(
            {
                "patient_id": str(patient.id),
                "visits": VisitSerializer(visits, many=True).data,
                **selectors.cancellation_counts(user=request.user, patient=patient),
            }
        )

    @extend_schema(responses={200: AIInteractionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="ai-interactions", paginated=True)
    def ai_interactions(self, request, pk=None):
        """The AI's calls and messages with the patient, with transcripts (seeded for
        the MVP); a doctor sees those about their own appointments."""
        patient = self.get_object()
        page = self.paginate_queryset(
            patient_selectors.ai_interaction_list(user=request.user, patient=patient)
        )
        return self.get_paginated_response(AIInteractionSerializer(page, many=True).data)


# Schedule views ------------------------------------------------------------------------


class ScheduleGridView(APIView):
    """Every active doctor of the clinic with the day's appointments (admins)."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN
    query_serializer_class = DayQuerySerializer

    @extend_schema(responses={200: ScheduleGridSerializer})
    def get(self, request):
        day = requested_day(self)
        # The selector returns the response's rows ready-made (this screen is hot);
        # ScheduleGridSerializer documents their shape.
        return Response(
            {"date": day, "doctors": selectors.schedule_grid(user=request.user, day=day)}
        )


class MyScheduleView(APIView):
    """A doctor's own day."""

    permission_classes = [HasRole]
    allowed_roles = DOCTOR
    query_serializer_class = DayQuerySerializer

    @extend_schema(responses={200: MyScheduleSerializer})
    def get(self, request):
        day = requested_day(self)
        appointments = selectors.schedule_of_doctor(user=request.user, day=day)
        return Response(MyScheduleSerializer({"date": day, "appointments": appointments}).data)


class AvailableSlotsView(APIView):
    """Free slots of one doctor on one day (admins, for booking)."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN
    query_serializer_class = AvailableQuerySerializer
    error_statuses = ("404",)  # a doctor outside the caller's clinic, or none

    @extend_schema(responses={200: AvailableSlotsSerializer})
    def get(self, request):
        doctor = get_object_or_404(
            doctor_list(user=request.user).select_related("clinic__settings"),
            pk=self.query["doctor_id"],
        )
        day = requested_day(self)
        slot_minutes, slots = selectors.available_slots(doctor=doctor, day=day)
        return Response(
            AvailableSlotsSerializer(
                {"doctor_id": doctor.id, "date": day, "slot_minutes": slot_minutes, "slots": slots}
            ).data
        )
