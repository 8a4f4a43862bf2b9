from rest_framework import serializers

from accounts.serializers import DoctorRefSerializer
from clinicflow.fields import ChoiceListField, ScopedInputSerializer
from notes.models import DoctorNote, FollowUp
from patients.models import Patient
from patients.selectors import patient_list
from patients.serializers import PatientRefSerializer
from scheduling.models import Appointment
from scheduling.selectors import appointment_list
from scheduling.serializers import AppointmentRefSerializer


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = DoctorNote
        fields = [
            "id",
            "patient_id",
            "doctor_id",
            "appointment_id",
            "content",
            "created_at",
            "updated_at",
        ]


def _ref(model, label, **kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=model.objects.none(),
        error_messages={
            "does_not_exist": f"Unknown {label}.",
            "incorrect_type": f"Unknown {label}.",
        },
        **kwargs,
    )


class NoteInputSerializer(ScopedInputSerializer):
    patient_id = _ref(Patient, "patient", source="patient")
    appointment_id = _ref(
        Appointment, "appointment", source="appointment", required=False, allow_null=True
    )
    content = serializers.CharField(max_length=10_000)

    def scoped_querysets(self, user) -> dict:
        return {
            "patient_id": patient_list(user=user),
            "appointment_id": appointment_list(user=user),
        }


class NoteUpdateInputSerializer(NoteInputSerializer):
    """The patient of a note is fixed; content and the linked visit may change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["patient_id"]


class FollowUpSerializer(serializers.ModelSerializer):
    patient = PatientRefSerializer()
    doctor = DoctorRefSerializer()
    follow_up_appointment = AppointmentRefSerializer(allow_null=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "patient_id",
            "patient",
            "doctor_id",
            "doctor",
            "appointment_id",
            "scheduled_date",
            "note",
            "status",
            "follow_up_appointment_id",
            "follow_up_appointment",
            "created_by_id",
            "created_at",
            "updated_at",
        ]


class FollowUpInputSerializer(ScopedInputSerializer):
    patient_id = _ref(Patient, "patient", source="patient")
    appointment_id = _ref(
        Appointment, "appointment", source="appointment", required=False, allow_null=True
    )
    scheduled_date = serializers.DateField(help_text="When the patient should be seen again.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def scoped_querysets(self, user) -> dict:
        return {
            "patient_id": patient_list(user=user),
            "appointment_id": appointment_list(user=user),
        }


class FollowUpUpdateInputSerializer(ScopedInputSerializer):
    scheduled_date = serializers.DateField(required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=FollowUp.Status.choices, required=False)
    follow_up_appointment_id = _ref(
        Appointment, "appointment", source="follow_up_appointment", required=False, allow_null=True
    )

    def scoped_querysets(self, user) -> dict:
        return {"follow_up_appointment_id": appointment_list(user=user)}


class FollowUpQuerySerializer(serializers.Serializer):
    status = ChoiceListField(
        choices=FollowUp.Status.values,
        required=False,
        help_text="Comma-separated; admins get pending ones when not given.",
    )
    doctor_id = serializers.UUIDField(required=False, help_text="Admins only.")
    patient_id = serializers.UUIDField(required=False)
    due_from = serializers.DateField(required=False)
    due_to = serializers.DateField(required=False)
