from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from accounts.permissions import ADMIN, ADMIN_OR_DOCTOR, HasRole
from clinicflow.api import GenericViewSet
from patients import selectors, services
from patients.models import Patient
from patients.serializers import PatientInputSerializer, PatientQuerySerializer, PatientSerializer


class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Admins manage the clinic's patients; doctors read the patients they see."""

    # A patient's history, cancellations and AI calls answer under the same
    # /api/patients/<id>/ path from scheduling.views.PatientAppointmentsViewSet: they
    # show appointments, and patients sits below scheduling.

    queryset = Patient.objects.none()  # the model, for the schema; get_queryset() scopes

    serializer_class = PatientSerializer
    permission_classes = [HasRole]
    allowed_roles = {
        "list": ADMIN_OR_DOCTOR,
        "retrieve": ADMIN_OR_DOCTOR,
        "create": ADMIN,
        "update": ADMIN,
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
