from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import ADMIN, ADMIN_OR_DOCTOR, HasRole
from clinicflow.api import GenericViewSet
from patients import selectors, services
from patients.models import Patient
from patients.serializers import (
    AIInteractionSerializer,
    PatientInputSerializer,
    PatientQuerySerializer,
    PatientSerializer,
)
from scheduling.selectors import appointment_history, cancellation_counts, cancellation_list
from scheduling.serializers import CancellationSerializer, VisitSerializer


class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Admins manage the clinic's patients; doctors read the patients they see."""

    queryset = Patient.objects.none()  # the model, for the schema; get_queryset() scopes

    serializer_class = PatientSerializer
    permission_classes = [HasRole]
    allowed_roles = {
        "list": ADMIN_OR_DOCTOR,
        "retrieve": ADMIN_OR_DOCTOR,
        "create": ADMIN,
        "update": ADMIN,
        "cancellations": ADMIN_OR_DOCTOR,
        "history": ADMIN_OR_DOCTOR,
        "ai_interactions": ADMIN_OR_DOCTOR,
    }
    filter_backends = []  # the selector filters
    query_serializer_class = {"list": PatientQuerySerializer}

    def get_queryset(self):
        params = self.query if self.action == "list" else {}
        return selectors.patient_list(user=self.request.user, **params)

    @extend_schema(request=PatientInputSerializer, responses={201: PatientSerializer})
    def create(self, request):
        data = PatientInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        patient = services.patient_create(clinic=request.user.clinic, data=data.validated_data)
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PatientInputSerializer, responses={200: PatientSerializer})
    def update(self, request, pk=None):
        """Partial: only the keys sent change."""
        patient = self.get_object()
        data = PatientInputSerializer(data=request.data, partial=True, user=request.user)
        data.is_valid(raise_exception=True)
        patient = services.patient_update(patient=patient, data=data.validated_data)
        return Response(PatientSerializer(patient).data)

    @extend_schema(responses={200: CancellationSerializer(many=True)})
    @action(detail=True, methods=["get"], paginated=True)
    def cancellations(self, request, pk=None):
        """The patient's cancellations and no-shows; a doctor sees those of their own
        appointments only."""
        patient = self.get_object()
        page = self.paginate_queryset(cancellation_list(user=request.user, patient=patient))
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
        visits = appointment_history(user=request.user, patient=patient)
        return Response(
            {
                "patient_id": str(patient.id),
                "visits": VisitSerializer(visits, many=True).data,
                **cancellation_counts(user=request.user, patient=patient),
            }
        )

    @extend_schema(responses={200: AIInteractionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="ai-interactions", paginated=True)
    def ai_interactions(self, request, pk=None):
        """The AI's calls and messages with the patient, with transcripts (seeded for
        the MVP); a doctor sees those about their own appointments."""
        patient = self.get_object()
        page = self.paginate_queryset(
            selectors.ai_interaction_list(user=request.user, patient=patient)
        )
        return self.get_paginated_response(AIInteractionSerializer(page, many=True).data)
