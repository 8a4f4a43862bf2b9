from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.permissions import ADMIN, ADMIN_OR_DOCTOR, HasRole
from patients import selectors, services
from patients.filters import PatientFilter
from patients.models import Patient
from patients.serializers import PatientInputSerializer, PatientSerializer


class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Admins manage the clinic's patients; doctors read the patients they see."""

    queryset = Patient.objects.none()  # the model, for the schema; get_queryset() scopes

    serializer_class = PatientSerializer
    permission_classes = [HasRole]
    allowed_roles = {
        "list": ADMIN_OR_DOCTOR,
        "retrieve": ADMIN_OR_DOCTOR,
        "create": ADMIN,
        "update": ADMIN,
    }
    filter_backends = []  # the selector filters; PatientFilter only validates

    def get_queryset(self):
        params = {}
        if self.action == "list":
            filters = PatientFilter(self.request.query_params)
            if not filters.is_valid():
                raise ValidationError(filters.errors)
            params = {
                "search": filters.form.cleaned_data.get("search") or "",
                "doctor_id": filters.form.cleaned_data.get("doctor_id"),
            }
        return selectors.patient_list(user=self.request.user, **params)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Words matched in name, email, phone."),
            OpenApiParameter("doctor_id", str, description="Primary doctor (admins only)."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PatientInputSerializer, responses={201: PatientSerializer})
    def create(self, request):
        data = PatientInputSerializer(data=request.data, clinic=request.user.clinic)
        data.is_valid(raise_exception=True)
        patient = services.patient_create(clinic=request.user.clinic, data=data.validated_data)
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PatientInputSerializer, responses={200: PatientSerializer})
    def update(self, request, pk=None):
        """Partial: only the keys sent change."""
        patient = self.get_object()
        data = PatientInputSerializer(data=request.data, partial=True, clinic=request.user.clinic)
        data.is_valid(raise_exception=True)
        patient = services.patient_update(patient=patient, data=data.validated_data)
        return Response(PatientSerializer(patient).data)
