from django.utils import timezone
from rest_framework import serializers

from accounts.models import Doctor
from accounts.selectors import doctor_list
from accounts.serializers import DoctorBriefSerializer
from clinicflow.fields import BooleanField, PhoneField, ScopedInputSerializer
from patients.models import Patient

CONTACT_CHANNELS = ("sms", "email")


class PatientSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name", read_only=True)
    primary_doctor = DoctorBriefSerializer(allow_null=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "clinic_id",
            "name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "date_of_birth",
            "first_visit_date",
            "primary_doctor",
            "contact_preferences",
            "flags",
            "created_at",
            "updated_at",
        ]


class PatientRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name")

    class Meta:
        model = Patient
        fields = ["id", "name"]


class ContactPreferencesField(serializers.JSONField):
    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict) or set(data) - set(CONTACT_CHANNELS):
            raise serializers.ValidationError('Must look like {"sms": true, "email": false}.')
        if not all(isinstance(v, bool) for v in data.values()):
            raise serializers.ValidationError("Each channel must be true or false.")
        return {channel: data.get(channel, True) for channel in CONTACT_CHANNELS}


class FlagsField(serializers.JSONField):
    """Free-form markers such as ``{"vip": true, "needs_interpreter": "Spanish"}``."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict) or len(data) > 20:
            raise serializers.ValidationError("Must be an object of at most 20 flags.")
        for key, value in data.items():
            if len(key) > 50 or not isinstance(value, str | bool | int) or len(str(value)) > 200:
                raise serializers.ValidationError(
                    "Flag names up to 50 characters; values true/false, a number or short text."
                )
        return data


class PatientInputSerializer(ScopedInputSerializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=255, required=False, allow_blank=True)
    phone = PhoneField(required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    first_visit_date = serializers.DateField(required=False, allow_null=True)
    primary_doctor_id = serializers.PrimaryKeyRelatedField(
        queryset=Doctor.objects.none(),
        source="primary_doctor",
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "Unknown doctor.", "incorrect_type": "Unknown doctor."},
    )
    contact_preferences = ContactPreferencesField(required=False)
    flags = FlagsField(required=False)

    def scoped_querysets(self, user) -> dict:
        return {"primary_doctor_id": doctor_list(user=user)}

    def validate_email(self, value):
        return value.lower()

    def validate_date_of_birth(self, value):
        if value and value > timezone.localdate():
            raise serializers.ValidationError("Cannot be in the future.")
        return value


class PatientQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET /api/patients``."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Words matched in name, email and phone; empty matches every patient.",
    )
    doctor_id = serializers.UUIDField(required=False, help_text="Primary doctor (admins only).")
    needs_attention = BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An appointment in the Needs Attention Queue's default window (from now "
        "to 7 days ahead): unconfirmed, missing the required intake, or flagged by staff.",
    )
