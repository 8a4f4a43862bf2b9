from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts import selectors, services
from accounts.models import Clinic, Doctor, User
from accounts.permissions import ADMIN, ADMIN_OR_DOCTOR, DOCTOR, STAFF, HasRole
from accounts.serializers import (
    ClinicProfileSettingsSerializer,
    ClinicSerializer,
    DoctorCreateInputSerializer,
    DoctorInputSerializer,
    DoctorPreferencesInputSerializer,
    DoctorQuerySerializer,
    DoctorSerializer,
    IntakeSettingsSerializer,
    LoginInputSerializer,
    LoginOutputSerializer,
    MeSerializer,
    NotificationSettingsSerializer,
    RefreshInputSerializer,
    RefreshOutputSerializer,
    SchedulingSettingsSerializer,
    StaffUserCreateSerializer,
    StaffUserSerializer,
    StaffUserUpdateSerializer,
    UserSerializer,
)
from accounts.throttles import LoginEmailThrottle, LoginIPThrottle, RefreshIPThrottle
from clinicflow.api import APIView, GenericViewSet

# Auth ----------------------------------------------------------------------------------


class LoginView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle, LoginEmailThrottle]
    error_statuses = ("401",)  # wrong password, unknown email, disabled account

    @extend_schema(
        request=LoginInputSerializer, responses={200: LoginOutputSerializer}, tags=["auth"]
    )
    def post(self, request):
        data = LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, access, refresh = services.auth_login(
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            ip_address=LoginIPThrottle().get_ident(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(
            {
                "token": access,
                "refresh": refresh,
                "role": user.role,
                "user": UserSerializer(user).data,
            }
        )


class RefreshView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [RefreshIPThrottle]
    error_statuses = ("401",)  # a spent, expired or revoked refresh token

    @extend_schema(
        request=RefreshInputSerializer, responses={200: RefreshOutputSerializer}, tags=["auth"]
    )
    def post(self, request):
        data = RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access, refresh = services.auth_refresh(refresh=data.validated_data["refresh"])
        return Response({"token": access, "refresh": refresh})


class LogoutView(APIView):
    permission_classes = [HasRole]
    allowed_roles = STAFF

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        services.auth_logout(session=request.user.auth_session)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [HasRole]
    allowed_roles = STAFF

    @extend_schema(responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        return Response(MeSerializer(request.user).data)


# Clinics ------------------------------------------------------------------------------


class ClinicViewSet(mixins.RetrieveModelMixin, GenericViewSet):
    """The caller's own clinic: every role reads it, admins change it."""

    queryset = Clinic.objects.none()  # the model, for the schema; get_queryset() scopes

    serializer_class = ClinicSerializer
    permission_classes = [HasRole]
    allowed_roles = {"retrieve": STAFF, "update": ADMIN}

    def get_queryset(self):
        return selectors.clinic_list(user=self.request.user)

    @extend_schema(request=ClinicProfileSettingsSerializer, responses={200: ClinicSerializer})
    def update(self, request, pk=None):
        """Partial: only the keys sent change; the same profile as
        ``PUT /api/settings/clinic``, which the guide lists too."""
        clinic = self.get_object()
        data = ClinicProfileSettingsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.clinic_update(clinic=clinic, data=data.validated_data)
        return Response(ClinicSerializer(self.get_object()).data)


# Doctors -----------------------------------------------------------------------------


class DoctorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Admins manage every doctor of the clinic; a doctor sees and edits their own."""

    queryset = Doctor.objects.none()  # the model, for the schema; get_queryset() scopes

    serializer_class = DoctorSerializer
    permission_classes = [HasRole]
    allowed_roles = {
        "list": ADMIN_OR_DOCTOR,
        "retrieve": ADMIN_OR_DOCTOR,
        "create": ADMIN,
        "update": ADMIN_OR_DOCTOR,
        "preferences": DOCTOR,
    }
    query_serializer_class = {"list": DoctorQuerySerializer}

    def get_queryset(self):
        return selectors.doctor_list(user=self.request.user, **getattr(self, "query", {}))

    @extend_schema(request=DoctorCreateInputSerializer, responses={201: DoctorSerializer})
    def create(self, request):
        data = DoctorCreateInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = values.pop("user", None)
        doctor = services.doctor_create(clinic=request.user.clinic, data=values, user=user)
        return Response(
            DoctorSerializer(self.get_queryset().get(pk=doctor.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=DoctorInputSerializer, responses={200: DoctorSerializer})
    def update(self, request, pk=None):
        """Partial: only the keys sent change. ``is_active`` is for admins."""
        doctor = self.get_object()
        data = DoctorInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.doctor_update(doctor=doctor, by=request.user, data=data.validated_data)
        return Response(DoctorSerializer(self.get_object()).data)

    @extend_schema(request=DoctorPreferencesInputSerializer, responses={200: DoctorSerializer})
    @action(detail=True, methods=["put"])
    def preferences(self, request, pk=None):
        """A doctor's own working hours, visit types, walk-ins and AI calls (the guide's
        other address for ``PUT /api/settings/my-preferences``)."""
        return MyPreferencesView.put_preferences(request, self.get_object())


# Settings --------------------------------------------------------------------------------


class _ClinicSettingsView(APIView):
    """GET the group of settings; PUT changes the keys sent (partial)."""

    permission_classes = [HasRole]
    allowed_roles = ADMIN
    serializer_class: type

    def _clinic(self, request):
        return selectors.clinic_list(user=request.user).get()

    def get(self, request):
        return Response(self.serializer_class(self._clinic(request)).data)

    def put(self, request):
        clinic = self._clinic(request)
        data = self.serializer_class(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.clinic_update(clinic=clinic, data=data.validated_data)
        return Response(self.serializer_class(self._clinic(request)).data)


def _settings_view(serializer, doc):
    """One view per group of settings, each with its own documented GET and PUT."""
    schema = extend_schema(request=serializer, responses={200: serializer}, tags=["settings"])

    class SettingsView(_ClinicSettingsView):
        serializer_class = serializer
        __doc__ = doc

        @schema
        def get(self, request):
            return super().get(request)

        @schema
        def put(self, request):
            return super().put(request)

    SettingsView.__name__ = SettingsView.__qualname__ = (
        f"{serializer.__name__.removesuffix('Serializer')}View"
    )
    return SettingsView


ClinicSettingsView = _settings_view(
    ClinicProfileSettingsSerializer,
    "The clinic's profile, days, hours, slot size, display and sessions.",
)
SchedulingSettingsView = _settings_view(SchedulingSettingsSerializer, "Scheduling rules.")
IntakeSettingsView = _settings_view(IntakeSettingsSerializer, "Intake rules.")
NotificationSettingsView = _settings_view(
    NotificationSettingsSerializer, "What is announced, and how."
)


class MyPreferencesView(APIView):
    """A doctor's own working hours, visit types, walk-ins and AI calls."""

    permission_classes = [HasRole]
    allowed_roles = DOCTOR

    def _doctor(self, request):
        return get_object_or_404(selectors.doctor_list(user=request.user))

    @extend_schema(responses={200: DoctorSerializer}, tags=["settings"])
    def get(self, request):
        return Response(DoctorSerializer(self._doctor(request)).data)

    @extend_schema(
        request=DoctorPreferencesInputSerializer,
        responses={200: DoctorSerializer},
        tags=["settings"],
    )
    def put(self, request):
        return self.put_preferences(request, self._doctor(request))

    @staticmethod
    def put_preferences(request, doctor) -> Response:
        """The one writer of a doctor's preferences, at both of the guide's addresses."""
        data = DoctorPreferencesInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.doctor_update(doctor=doctor, by=request.user, data=data.validated_data)
        return Response(
            DoctorSerializer(selectors.doctor_list(user=request.user).get(pk=doctor.pk)).data
        )


# Users ----------------------------------------------------------------------------------


class StaffUserViewSet(mixins.ListModelMixin, GenericViewSet):
    """The clinic's staff accounts (admins)."""

    queryset = User.objects.none()  # the model, for the schema
    serializer_class = StaffUserSerializer
    permission_classes = [HasRole]
    allowed_roles = ADMIN
    error_statuses = ("409",)
    filter_backends = []

    def get_queryset(self):
        return selectors.user_list(user=self.request.user)

    def _fresh(self, user):
        return StaffUserSerializer(self.get_queryset().get(pk=user.pk)).data

    @extend_schema(request=StaffUserCreateSerializer, responses={201: StaffUserSerializer})
    def create(self, request):
        data = StaffUserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(clinic=request.user.clinic, **data.validated_data)
        return Response(self._fresh(user), status=status.HTTP_201_CREATED)

    @extend_schema(request=StaffUserUpdateSerializer, responses={200: StaffUserSerializer})
    def update(self, request, pk=None):
        """Partial: name, email, password. Role and clinic cannot change."""
        user = self.get_object()
        data = StaffUserUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update(
            user=user, data=dict(data.validated_data), by_session=request.user.auth_session
        )
        return Response(self._fresh(user))

    @extend_schema(request=None, responses={200: StaffUserSerializer})
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        """Signs the user out everywhere at once and blocks sign-in."""
        user = services.user_disable(user=self.get_object(), by=request.user)
        return Response(self._fresh(user))

    @extend_schema(request=None, responses={200: StaffUserSerializer})
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        user = services.user_enable(user=self.get_object())
        return Response(self._fresh(user))
