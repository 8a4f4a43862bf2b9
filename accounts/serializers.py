from rest_framework import serializers

from accounts.models import WEEKDAYS, Clinic, ClinicSettings, Doctor, Role, User, VisitType
from accounts.selectors import user_list
from clinicflow.env import known_time_zones
from clinicflow.fields import BooleanField, HHMMField, PhoneField, ScopedInputSerializer

# Shapes shared by clinic and doctor hours ----------------------------------------


class HoursSerializer(serializers.Serializer):
    """``{"start": "HH:MM", "end": "HH:MM"}`` with start before end."""

    start = HHMMField()
    end = HHMMField()

    def validate(self, attrs):
        # Hours are one value: even a partial update sends both ends.
        missing = {k: ["This field is required."] for k in ("start", "end") if k not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": ["Must be after start."]})
        return attrs

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        return {key: value.strftime("%H:%M") for key, value in attrs.items()}

    def to_representation(self, instance):
        return {"start": instance["start"], "end": instance["end"]} if instance else None


class WorkingDaysField(serializers.JSONField):
    """``{"monday": true, ..., "sunday": false}``; all seven days, booleans only."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            raise serializers.ValidationError("Must be an object of weekday: true/false.")
        unknown = sorted(set(data) - set(WEEKDAYS))
        if unknown:
            raise serializers.ValidationError(f"Unknown days: {', '.join(unknown)}.")
        missing = [day for day in WEEKDAYS if day not in data]
        if missing:
            raise serializers.ValidationError(f"Missing days: {', '.join(missing)}.")
        if not all(isinstance(value, bool) for value in data.values()):
            raise serializers.ValidationError("Each day must be true or false.")
        return {day: data[day] for day in WEEKDAYS}


class TimeZoneField(serializers.CharField):
    """An IANA zone name such as ``America/New_York``."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in known_time_zones():
            raise serializers.ValidationError("Unknown time zone.")
        return value


# Clinics ----------------------------------------------------------------------------


class ClinicSerializer(serializers.ModelSerializer):
    working_days = serializers.JSONField(source="settings.working_days")
    clinic_hours = HoursSerializer(source="settings.clinic_hours")
    slot_size = serializers.IntegerField(source="settings.slot_size")

    class Meta:
        model = Clinic
        fields = [
            "id",
            "name",
            "timezone",
            "phone",
            "working_days",
            "clinic_hours",
            "slot_size",
            "created_at",
            "updated_at",
        ]


PHONE_HELP = "Shown to patients on their intake pages so they can call; optional."


class ClinicBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clinic
        fields = ["id", "name", "timezone"]


# Doctors ------------------------------------------------------------------------------


class DoctorSerializer(serializers.ModelSerializer):
    user_id = serializers.UUIDField(read_only=True, allow_null=True)
    working_hours = HoursSerializer(source="settings.working_hours_override", allow_null=True)
    supported_visit_types = serializers.ListField(
        source="settings.supported_visit_types", child=serializers.CharField()
    )
    allows_virtual_visits = BooleanField(source="settings.allows_virtual_visits")
    allows_walkins = BooleanField(source="settings.allow_walk_ins")
    allow_forced_booking = BooleanField(source="settings.allow_forced_booking")
    ai_calls_enabled = BooleanField(source="settings.ai_calls_enabled")

    class Meta:
        model = Doctor
        fields = [
            "id",
            "user_id",
            "clinic_id",
            "name",
            "initials",
            "specialty",
            "color",
            "default_visit_length",
            "is_active",
            "working_hours",
            "supported_visit_types",
            "allows_virtual_visits",
            "allows_walkins",
            "allow_forced_booking",
            "ai_calls_enabled",
            "created_at",
            "updated_at",
        ]


class DoctorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Doctor
        fields = ["id", "name", "initials", "specialty", "color"]


# A doctor named from another app's record (an appointment, a note, an intake):
# those apps import this reference from here, where the model lives.
class DoctorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Doctor
        fields = ["id", "name", "initials", "color"]


class DoctorPreferencesInputSerializer(serializers.Serializer):
    """What a doctor may set for themselves; maps the API's names to doctor_settings.
    Every field is optional: a PUT changes what it names. ``supported_visit_types``
    and ``allows_virtual_visits`` are merged with the doctor's current ones by
    ``accounts.services.doctor_update``."""

    working_hours = HoursSerializer(
        allow_null=True,
        required=False,
        source="working_hours_override",
        help_text="Overrides the clinic's hours; null = the clinic's.",
    )
    allows_virtual_visits = BooleanField(required=False)
    allows_walkins = BooleanField(
        required=False, source="allow_walk_ins", help_text="Takes walk-in bookings."
    )
    ai_calls_enabled = BooleanField(
        required=False,
        help_text="Stored for the frontend: the voice AI that would call has no backend yet.",
    )
    supported_visit_types = serializers.MultipleChoiceField(
        choices=VisitType.choices, required=False
    )
    allow_forced_booking = BooleanField(required=False)


class DoctorInputSerializer(DoctorPreferencesInputSerializer):
    """A doctor's profile and preferences. A doctor may change their own, except
    ``is_active``; an admin may change any in the clinic."""

    name = serializers.CharField(max_length=255, required=False)
    initials = serializers.CharField(max_length=10, allow_blank=True, required=False)
    specialty = serializers.CharField(max_length=100, allow_blank=True, required=False)
    color = serializers.RegexField(
        r"^#[0-9A-Fa-f]{6}$",
        allow_blank=True,
        max_length=20,
        required=False,
        error_messages={"invalid": "Must be a colour like #3B82F6."},
    )
    default_visit_length = serializers.ChoiceField(
        choices=Doctor.VisitLength.choices, required=False
    )
    is_active = BooleanField(required=False)


class DoctorQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET /api/doctors``."""

    is_active = BooleanField(required=False)


class DoctorCreateInputSerializer(ScopedInputSerializer, DoctorInputSerializer):
    name = serializers.CharField(max_length=255)
    user_id = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        source="user",
        required=False,
        allow_null=True,
        help_text="An existing doctor user of the clinic without a profile.",
        error_messages={"does_not_exist": "Unknown user.", "incorrect_type": "Unknown user."},
    )

    def scoped_querysets(self, user) -> dict:
        return {"user_id": user_list(user=user)}


# Users and auth ------------------------------------------------------------------------


class UserSerializer(serializers.ModelSerializer):
    clinic_id = serializers.UUIDField(read_only=True)
    doctor_id = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "clinic_id", "doctor_id"]

    def get_doctor_id(self, user) -> str | None:
        doctor = getattr(user, "doctor", None)
        return str(doctor.id) if doctor is not None else None


class LoginInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=255)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class LoginOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Access token (15 minutes).")
    refresh = serializers.CharField(help_text="Refresh token; single use.")
    role = serializers.CharField()
    user = UserSerializer()


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class RefreshOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    refresh = serializers.CharField()


class MeSerializer(serializers.Serializer):
    user = UserSerializer(source="*")
    role = serializers.CharField()
    clinic = ClinicBriefSerializer()
    doctor = serializers.SerializerMethodField()

    def get_doctor(self, user) -> dict | None:
        doctor = getattr(user, "doctor", None)
        return DoctorSerializer(doctor).data if doctor is not None else None


# Settings ------------------------------------------------------------------------------

FRONTEND_ONLY = "Stored for the frontend; the backend does not act on it."
PROFILE_KEYS = ("name", "timezone", "phone")  # on ``clinics``; the rest on ``clinic_settings``


class ClinicProfileSettingsSerializer(serializers.Serializer):
    """``/api/settings/clinic``: the profile, opening days and hours, slot size,
    display preferences and the session length."""

    name = serializers.CharField(max_length=255)
    timezone = TimeZoneField(max_length=50)
    phone = PhoneField(allow_blank=True, help_text=PHONE_HELP)
    working_days = WorkingDaysField(help_text="Days the clinic books appointments.")
    clinic_hours = HoursSerializer(help_text="Bookable hours unless a doctor sets their own.")
    slot_size = serializers.ChoiceField(
        choices=ClinicSettings.SlotSize.choices, help_text="Minutes per slot in availability."
    )
    session_timeout = serializers.IntegerField(
        min_value=5,
        max_value=7 * 24 * 60,
        help_text="Minutes a sign-in lasts before signing in again.",
    )
    date_format = serializers.ChoiceField(
        choices=["MM/DD/YYYY", "DD/MM/YYYY", "YYYY-MM-DD"], help_text=FRONTEND_ONLY
    )
    time_format = serializers.ChoiceField(choices=["12h", "24h"], help_text=FRONTEND_ONLY)
    default_dashboard_view = serializers.ChoiceField(
        choices=["dashboard", "schedule", "patients"], help_text=FRONTEND_ONLY
    )
    auto_refresh_interval = serializers.IntegerField(
        min_value=0, max_value=3600, help_text=f"Seconds, 0 = off. {FRONTEND_ONLY}"
    )

    def to_representation(self, clinic):
        rules = clinic.settings
        return {
            "name": clinic.name,
            "timezone": clinic.timezone,
            "phone": clinic.phone,
            **{key: getattr(rules, key) for key in self.fields if key not in PROFILE_KEYS},
            "clinic_hours": HoursSerializer().to_representation(rules.clinic_hours),
        }


class _RulesSerializer(serializers.Serializer):
    """A group of clinic_settings fields, read and written as they are."""

    def to_representation(self, clinic):
        return {key: getattr(clinic.settings, key) for key in self.fields}


class SchedulingSettingsSerializer(_RulesSerializer):
    allow_overlapping = BooleanField(
        help_text="Bookings may overlap another of the same doctor without force."
    )
    allow_walk_ins = BooleanField(
        help_text="Walk-in bookings (walk_in: true) are taken, where the doctor takes them too."
    )
    require_provider = BooleanField(
        help_text=FRONTEND_ONLY + " Every appointment has a doctor in this version."
    )
    allow_admin_override = BooleanField(
        help_text="Admins may force a booking over a conflict and cancel inside the notice."
    )
    minimum_cancellation_notice = serializers.IntegerField(
        min_value=0, max_value=7 * 24 * 60, help_text="Minutes before the start; later needs force."
    )
    auto_no_show_threshold = serializers.IntegerField(
        min_value=5,
        max_value=24 * 60,
        help_text="Minutes after the start a visit not arrived is a no-show.",
    )
    cancellation_reason_required = BooleanField(
        help_text="Cancelling needs a reason, and a note when the reason is 'other'."
    )


class IntakeSettingsSerializer(_RulesSerializer):
    intake_required = BooleanField(
        help_text="Open appointments without completed intake count as missing intake."
    )
    lock_appointment_if_missing = BooleanField(
        help_text="A patient cannot be checked in (arrived) while required intake is missing."
    )
    allow_manual_completion = BooleanField(help_text="Admins may mark intake completed by hand.")
    intake_delivery_path = serializers.ChoiceField(
        choices=ClinicSettings.IntakeDeliveryPath.choices,
        help_text="Default intake_path of a booking: automatic = send_now, manual = send_later, "
        "ask_every_time = the booking must say.",
    )


class NotificationSettingsSerializer(_RulesSerializer):
    notify_unconfirmed = BooleanField(
        help_text="Live appointment:created events (new, unconfirmed bookings) go out."
    )
    notify_missing_intake = BooleanField(
        help_text="Live intake:completed events reach the front desk and doctor."
    )
    notify_cancellations = BooleanField(help_text="Cancellations are announced.")
    notify_no_shows = BooleanField(help_text="No-shows are announced.")
    notify_via_app = BooleanField(help_text="Live events go to staff over /ws/events/.")
    notify_via_email = BooleanField(
        help_text="Admins also get an email for announced cancellations and no-shows."
    )


# Users ------------------------------------------------------------------------------------


class StaffUserSerializer(serializers.ModelSerializer):
    clinic_id = serializers.UUIDField(read_only=True)
    doctor_id = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role",
            "clinic_id",
            "doctor_id",
            "is_active",
            "last_login",
            "created_at",
            "updated_at",
        ]

    def get_doctor_id(self, user) -> str | None:
        doctor = getattr(user, "doctor", None)
        return str(doctor.id) if doctor is not None else None


class DoctorDetailsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False)
    initials = serializers.CharField(max_length=10, required=False, allow_blank=True)
    specialty = serializers.CharField(max_length=100, required=False, allow_blank=True)
    color = serializers.RegexField(r"^#[0-9A-Fa-f]{6}$", required=False, allow_blank=True)
    default_visit_length = serializers.ChoiceField(
        choices=Doctor.VisitLength.choices, required=False
    )


class StaffUserCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=255)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    doctor_details = DoctorDetailsSerializer(
        required=False, help_text="For role doctor: the doctor profile made with the account."
    )


class StaffUserUpdateSerializer(serializers.Serializer):
    """Name and email. Role and clinic cannot change through the API."""

    email = serializers.EmailField(max_length=255, required=False)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    password = serializers.CharField(max_length=128, trim_whitespace=False, required=False)

    def validate(self, attrs):
        fixed = sorted(key for key in ("role", "clinic", "clinic_id") if key in self.initial_data)
        if fixed:
            raise serializers.ValidationError({key: ["Cannot be changed."] for key in fixed})
        return attrs
