from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.permissions import ADMIN, ADMIN_OR_DOCTOR, HasRole
from clinicflow.api import APIView, GenericViewSet
from clinicflow.exceptions import PayloadTooLarge
from clinicflow.throttles import ScopedRateThrottle
from intake import selectors, services
from intake.delivery import delivery_channels
from intake.errors import InvalidAnswers
from intake.models import IntakeFormTemplate, IntakeSubmission
from intake.serializers import (
    PublicFormSerializer,
    PublicSubmitInputSerializer,
    PublicSubmitOutputSerializer,
    SendIntakeInputSerializer,
    SendIntakeOutputSerializer,
    SubmissionDetailSerializer,
    SubmissionQuerySerializer,
    SubmissionSerializer,
    TemplateInputSerializer,
    TemplateSerializer,
    public_form_data,
)
from scheduling.selectors import appointment_list
from scheduling.serializers import AppointmentSerializer


class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The clinic's intake forms (admins)."""

    queryset = IntakeFormTemplate.objects.none()  # the model, for the schema
    serializer_class = TemplateSerializer
    permission_classes = [HasRole]
    allowed_roles = ADMIN

    def get_queryset(self):
        return selectors.template_list(user=self.request.user)

    @extend_schema(request=TemplateInputSerializer, responses={201: TemplateSerializer})
    def create(self, request):
        data = TemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.template_create(clinic=request.user.clinic, **data.validated_data)
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TemplateInputSerializer, responses={200: TemplateSerializer})
    def update(self, request, pk=None):
        """Partial; a change of ``fields`` makes a new version."""
        data = TemplateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        template = services.template_update(template=self.get_object(), data=data.validated_data)
        return Response(TemplateSerializer(template).data)


class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Patients' intake answers with their AI summary: admins all, doctors their own visits'."""

    queryset = IntakeSubmission.objects.none()  # the model, for the schema
    permission_classes = [HasRole]
    allowed_roles = {
        "list": ADMIN_OR_DOCTOR,
        "retrieve": ADMIN_OR_DOCTOR,
        "regenerate_summary": ADMIN,
    }

    def get_serializer_class(self):
        return SubmissionSerializer if self.action == "list" else SubmissionDetailSerializer

    query_serializer_class = {"list": SubmissionQuerySerializer}

    def get_queryset(self):
        params = {}
        if self.action == "list":
            params = {
                "appointment_id": self.query.get("appointment_id"),
                "patient_id": self.query.get("patient_id"),
                "summary_status": self.query.get("ai_summary_status"),
            }
        return selectors.submission_list(user=self.request.user, **params)

    @extend_schema(request=None, responses={202: SubmissionDetailSerializer})
    @action(detail=True, methods=["post"], url_path="regenerate-summary")
    def regenerate_summary(self, request, pk=None):
        submission = services.submission_regenerate_summary(submission=self.get_object())
        submission = self.get_queryset().get(pk=submission.pk)
        return Response(
            SubmissionDetailSerializer(submission).data, status=status.HTTP_202_ACCEPTED
        )


class SendIntakeView(APIView):
    """Sends the patient a one-time link to the intake form (admins)."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN
    error_statuses = ("409",)

    @extend_schema(
        request=SendIntakeInputSerializer,
        responses={201: SendIntakeOutputSerializer},
        operation_id="appointments_send_intake",
    )
    def post(self, request, pk):
        appointment = get_object_or_404(appointment_list(user=request.user), pk=pk)
        data = SendIntakeInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        url, token = services.intake_send(
            appointment=appointment, template=data.validated_data["template"], by=request.user
        )
        return Response(
            {
                "intake_url": url,
                "expires_at": token.expires_at,
                "channels": delivery_channels(appointment.patient),
            },
            status=status.HTTP_201_CREATED,
        )


class IntakeCompleteView(APIView):
    """Marks an appointment's intake done by hand: a paper form, a phone call (admins)."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN
    error_statuses = ("409",)

    @extend_schema(
        request=None,
        responses={200: AppointmentSerializer},
        operation_id="appointments_intake_complete",
    )
    def post(self, request, pk):
        appointment = get_object_or_404(appointment_list(user=request.user), pk=pk)
        services.intake_complete_by_hand(appointment=appointment, by=request.user)
        fresh = appointment_list(user=request.user).get(pk=pk)
        return Response(AppointmentSerializer(fresh).data)


class PublicIntakeView(APIView):
    """A patient's intake form behind a one-time link; no account, no token header.

    404 unknown link, 410 expired or replaced, 409 already submitted, 422 answers
    that do not fit the form, 413 an oversized body, 429 too many tries.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_intake"
    error_statuses = ("409", "410", "413", "422")

    @extend_schema(responses={200: PublicFormSerializer}, tags=["public"])
    def get(self, request, token):
        return Response(
            PublicFormSerializer(public_form_data(services.intake_open(raw=token))).data
        )

    @extend_schema(
        request=PublicSubmitInputSerializer,
        responses={201: PublicSubmitOutputSerializer},
        tags=["public"],
    )
    def post(self, request, token):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.INTAKE_MAX_BODY_BYTES
        if (declared.isdigit() and int(declared) > limit) or len(request.body) > limit:
            raise PayloadTooLarge(f"Answers may take at most {limit // 1024} KB.")
        data = PublicSubmitInputSerializer(data=request.data)
        if not data.is_valid():
            raise InvalidAnswers({"responses": ['Send the answers as {"responses": {...}}.']})
        services.intake_submit(raw=token, responses=data.validated_data["responses"])
        return Response(
            {"success": True, "message": "Thank you! Your answers were sent to the clinic."},
            status=status.HTTP_201_CREATED,
        )
