from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.clock import clinic_today
from accounts.models import Doctor, VisitType
from accounts.selectors import doctor_list
from accounts.serializers import DoctorRefSerializer
from clinicflow.fields import (
    HHMM_SCHEMA,
    BooleanField,
    ChoiceListField,
    HHMMField,
    ScopedInputSerializer,
)
from patients.models import AIInteraction, Patient
from patients.selectors import patient_list
from patients.serializers import PatientRefSerializer
from scheduling.models import Appointment, AppointmentStatus, Cancellation, IntakeStatus


class AppointmentRefSerializer(serializers.ModelSerializer):
    """An appointment named from another record (a follow-up, an AI call)."""

    date = serializers.DateField(source="scheduled_date")
    time = HHMMField(source="start_time")

    class Meta:
        model = Appointment
        fields = ["id", "date", "time", "status"]


class AIInteractionSerializer(serializers.ModelSerializer):
    linked_appointment = AppointmentRefSerializer(source="appointment", allow_null=True)

    class Meta:
        model = AIInteraction
        fields = [
            "id",
            "interaction_type",
            "direction",
            "channel",
            "started_at",
            "duration_seconds",
            "outcome",
            "summary",
            "transcript",
            "appointment_id",
            "linked_appointment",
        ]


class AppointmentSerializer(serializers.ModelSerializer):
    start_time = HHMMField()
    end_time = HHMMField()
    doctor = DoctorRefSerializer()
    patient = PatientRefSerializer()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "clinic_id",
            "doctor_id",
            "patient_id",
            "doctor",
            "patient",
            "scheduled_date",
            "start_time",
            "end_time",
            "duration",
            "starts_at",
            "ends_at",
            "visit_type",
            "visit_category",
            "status",
            "arrived",
            "arrived_at",
            "visit_reason",
            "intake_status",
            "intake_path",
            "intake_form_id",
            "needs_attention",
            "attention_reason",
            "meeting_link",
            "overlap_allowed",
            "created_by_id",
            "created_at",
            "updated_at",
        ]


class BookInputSerializer(ScopedInputSerializer):
    doctor_id = serializers.PrimaryKeyRelatedField(
        queryset=Doctor.objects.none(),
        source="doctor",
        error_messages={"does_not_exist": "Unknown doctor.", "incorrect_type": "Unknown doctor."},
    )
    patient_id = serializers.PrimaryKeyRelatedField(
        queryset=Patient.objects.none(),
        source="patient",
        error_messages={"does_not_exist": "Unknown patient.", "incorrect_type": "Unknown patient."},
    )
    scheduled_date = serializers.DateField(required=False, help_text="Required unless walk_in.")
    start_time = HHMMField(required=False, help_text="Required unless walk_in.")
    walk_in = BooleanField(
        default=False,
        help_text="A patient at the desk: the visit starts now and is checked in at once. "
        "Needs the clinic's and the doctor's walk-in setting.",
    )
    duration = serializers.ChoiceField(
        choices=Doctor.VisitLength.choices,
        required=False,
        help_text="Minutes; defaults to the doctor's default visit length.",
    )
    visit_type = serializers.ChoiceField(choices=VisitType.choices)
    visit_category = serializers.ChoiceField(
        choices=Appointment.VisitCategory.choices,
        required=False,
        help_text="Defaults to new_patient for a first visit, else follow_up.",
    )
    visit_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    intake_path = serializers.ChoiceField(
        choices=Appointment.IntakePath.choices,
        required=False,
        help_text="Defaults from the clinic's intake delivery setting.",
    )
    force = BooleanField(
        default=False, help_text="Book over another appointment, where the clinic allows it."
    )
    follow_up_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The doctor's follow-up this visit fulfils; it becomes scheduled "
        "(400 follow_up_id if it is not one of the clinic's pending follow-ups).",
        error_messages={"invalid": "Unknown follow-up."},
    )

    def validate(self, attrs):
        if not attrs["walk_in"]:
            missing = [f for f in ("scheduled_date", "start_time") if f not in attrs]
            if missing:
                raise serializers.ValidationError({f: ["This field is required."] for f in missing})
        return attrs

    def scoped_querysets(self, user) -> dict:
        return {
            "doctor_id": doctor_list(user=user).select_related("clinic__settings"),
            "patient_id": patient_list(user=user),
        }


class RescheduleInputSerializer(ScopedInputSerializer):
    new_date = serializers.DateField()
    new_time = HHMMField()
    new_doctor_id = serializers.PrimaryKeyRelatedField(
        queryset=Doctor.objects.none(),
        source="new_doctor",
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "Unknown doctor.", "incorrect_type": "Unknown doctor."},
    )
    duration = serializers.ChoiceField(choices=Doctor.VisitLength.choices, required=False)
    force = BooleanField(default=False)

    def scoped_querysets(self, user) -> dict:
        return {"new_doctor_id": doctor_list(user=user).select_related("clinic__settings")}


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Cancellation.Type.choices, required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    force = BooleanField(
        default=False, help_text="Cancel inside the minimum notice, where the clinic allows it."
    )


class AppointmentUpdateInputSerializer(serializers.Serializer):
    """Details of a visit; ``status`` moves along the status machine (cancelling goes
    through the cancel action). Time and doctor change through reschedule."""

    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    visit_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    visit_type = serializers.ChoiceField(choices=VisitType.choices, required=False)
    visit_category = serializers.ChoiceField(
        choices=Appointment.VisitCategory.choices, required=False
    )
    intake_path = serializers.ChoiceField(choices=Appointment.IntakePath.choices, required=False)
    meeting_link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    needs_attention = BooleanField(required=False)
    attention_reason = serializers.CharField(max_length=100, required=False, allow_blank=True)


class CancellationSerializer(serializers.ModelSerializer):
    original_time = HHMMField()
    doctor = DoctorRefSerializer(allow_null=True)
    patient = PatientRefSerializer()

    class Meta:
        model = Cancellation
        fields = [
            "id",
            "appointment_id",
            "patient",
            "doctor",
            "cancellation_type",
            "reason_note",
            "cancelled_by_id",
            "cancelled_by_name",
            "original_date",
            "original_time",
            "created_at",
        ]


class VisitSerializer(serializers.ModelSerializer):
    """One line of a patient's history."""

    date = serializers.DateField(source="scheduled_date")
    time = HHMMField(source="start_time")
    doctor = DoctorRefSerializer()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "date",
            "time",
            "duration",
            "doctor",
            "status",
            "visit_type",
            "visit_category",
            "visit_reason",
        ]


class DayQuerySerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False, help_text="YYYY-MM-DD; today in the clinic by default."
    )


def requested_day(view):
    """``?date=`` of a day view (clinicflow.api reads it), else today in the caller's
    clinic."""
    return view.query.get("date") or clinic_today(view.request.user.clinic)


class AvailableQuerySerializer(DayQuerySerializer):
    doctor_id = serializers.UUIDField()


class SlotSerializer(serializers.Serializer):
    """``start``/``end`` on the clinic's wall clock, ``starts_at``/``ends_at`` exact."""

    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    starts_at = serializers.SerializerMethodField(help_text="ISO 8601 with the clinic's offset.")
    ends_at = serializers.SerializerMethodField(help_text="ISO 8601 with the clinic's offset.")

    @extend_schema_field(HHMM_SCHEMA)
    def get_start(self, slot) -> str:
        return f"{slot.start:%H:%M}"

    @extend_schema_field(HHMM_SCHEMA)
    def get_end(self, slot) -> str:
        return f"{slot.end:%H:%M}"

    def get_starts_at(self, slot) -> str:
        return slot.start.isoformat()

    def get_ends_at(self, slot) -> str:
        return slot.end.isoformat()


class AvailableSlotsSerializer(serializers.Serializer):
    doctor_id = serializers.UUIDField()
    date = serializers.DateField()
    slot_minutes = serializers.IntegerField()
    slots = SlotSerializer(many=True)


class GridAppointmentSerializer(serializers.ModelSerializer):
    time = HHMMField(source="start_time")
    end_time = HHMMField()
    patient_id = serializers.UUIDField()
    patient_name = serializers.CharField(source="patient.full_name")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "time",
            "end_time",
            "duration",
            "patient_id",
            "patient_name",
            "status",
            "intake_status",
            "visit_type",
            "visit_category",
            "visit_reason",
        ]


class GridDoctorSerializer(serializers.ModelSerializer):
    appointments = GridAppointmentSerializer(many=True)

    class Meta:
        model = Doctor
        fields = ["id", "name", "initials", "specialty", "color", "appointments"]


class ScheduleGridSerializer(serializers.Serializer):
    date = serializers.DateField()
    doctors = GridDoctorSerializer(many=True)


class MyAppointmentSerializer(GridAppointmentSerializer):
    patient = serializers.SerializerMethodField()

    class Meta(GridAppointmentSerializer.Meta):
        fields = [
            f
            for f in GridAppointmentSerializer.Meta.fields
            if f not in ("patient_id", "patient_name")
        ] + ["patient", "meeting_link"]

    def get_patient(self, appointment) -> dict:
        patient = appointment.patient
        return {
            "id": str(patient.id),
            "name": patient.full_name,
            "date_of_birth": patient.date_of_birth,
            "flags": patient.flags,
        }


class MyScheduleSerializer(serializers.Serializer):
    date = serializers.DateField()
    appointments = MyAppointmentSerializer(many=True)


class AppointmentQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET /api/appointments``."""

    date = serializers.DateField(required=False, help_text="One day, YYYY-MM-DD.")
    to = serializers.DateField(required=False, help_text="Last day of a range.")
    doctor_id = serializers.UUIDField(required=False, help_text="Admins only.")
    patient_id = serializers.UUIDField(required=False)
    status = ChoiceListField(
        choices=AppointmentStatus.values,
        required=False,
        help_text="One or more statuses, comma-separated.",
    )
    intake_status = ChoiceListField(
        choices=IntakeStatus.values, required=False, help_text="One or more, comma-separated."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="First day of a range.")
        return fields

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"to": ["Must not be before 'from'."]})
        return attrs

    @staticmethod
    def selector_arguments(data) -> dict:
        return {
            "day": data.get("date"),
            "date_from": data.get("from"),
            "date_to": data.get("to"),
            "doctor_id": data.get("doctor_id"),
            "patient_id": data.get("patient_id"),
            "statuses": data.get("status"),
            "intake_statuses": data.get("intake_status"),
        }
