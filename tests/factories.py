"""factory-boy factories for every model; build realistic rows with few arguments."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from accounts.models import Clinic, ClinicSettings, Doctor, DoctorSettings, Role, User
from intake.models import IntakeFormTemplate, IntakeSubmission
from notes.models import DoctorNote, FollowUp
from patients.models import AIInteraction, DoctorPatientRelationship, Patient
from scheduling.models import Appointment, Cancellation

PASSWORD = "correct-horse-battery"
_hashes: dict[str, str] = {}


def hashed(password: str) -> str:
    """Argon2 is slow on purpose; hash each test password once per run."""
    if password not in _hashes:
        _hashes[password] = make_password(password)
    return _hashes[password]


class ClinicFactory(DjangoModelFactory):
    class Meta:
        model = Clinic
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Clinic {n}")
    timezone = "America/New_York"
    settings = factory.RelatedFactory("tests.factories.ClinicSettingsFactory", "clinic")


class ClinicSettingsFactory(DjangoModelFactory):
    class Meta:
        model = ClinicSettings

    clinic = factory.SubFactory(ClinicFactory, settings=None)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.ADMIN
    clinic = factory.SubFactory(ClinicFactory)
    password = factory.LazyFunction(lambda: hashed(PASSWORD))


class DoctorFactory(DjangoModelFactory):
    class Meta:
        model = Doctor
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    user = factory.SubFactory(
        UserFactory, role=Role.DOCTOR, clinic=factory.SelfAttribute("..clinic")
    )
    name = factory.LazyAttribute(lambda d: f"Dr. {d.user.last_name}" if d.user else "Dr. Locum")
    specialty = "Family Medicine"
    color = "#3B82F6"
    settings = factory.RelatedFactory("tests.factories.DoctorSettingsFactory", "doctor")


class DoctorSettingsFactory(DjangoModelFactory):
    class Meta:
        model = DoctorSettings

    doctor = factory.SubFactory(DoctorFactory, settings=None)


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(
        lambda p: f"{p.first_name}.{p.last_name}@example.org".lower().replace(" ", "")
    )
    phone = factory.Sequence(lambda n: f"+1 555 {n % 1000:03d} {n % 10000:04d}")
    date_of_birth = date(1980, 5, 17)


class DoctorPatientRelationshipFactory(DjangoModelFactory):
    class Meta:
        model = DoctorPatientRelationship

    doctor = factory.SubFactory(DoctorFactory)
    patient = factory.SubFactory(PatientFactory, clinic=factory.SelfAttribute("..doctor.clinic"))


def _aware(day: date, at: time, tz: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz))


class AppointmentFactory(DjangoModelFactory):
    """An appointment whose wall-clock and aware times agree in the clinic's zone."""

    class Meta:
        model = Appointment

    doctor = factory.SubFactory(DoctorFactory)
    clinic = factory.SelfAttribute("doctor.clinic")
    patient = factory.SubFactory(PatientFactory, clinic=factory.SelfAttribute("..clinic"))
    scheduled_date = factory.LazyFunction(lambda: date.today() + timedelta(days=1))
    start_time = time(10, 0)
    duration = 30
    end_time = factory.LazyAttribute(
        lambda a: (
            datetime.combine(a.scheduled_date, a.start_time) + timedelta(minutes=a.duration)
        ).time()
    )
    starts_at = factory.LazyAttribute(
        lambda a: _aware(a.scheduled_date, a.start_time, a.clinic.timezone)
    )
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(minutes=a.duration))
    visit_type = "in_clinic"
    visit_reason = "Annual check-up"


class CancellationFactory(DjangoModelFactory):
    class Meta:
        model = Cancellation

    appointment = factory.SubFactory(AppointmentFactory, status="cancelled")
    clinic = factory.SelfAttribute("appointment.clinic")
    patient = factory.SelfAttribute("appointment.patient")
    doctor = factory.SelfAttribute("appointment.doctor")
    cancellation_type = Cancellation.Type.PATIENT_CANCELLED
    original_date = factory.SelfAttribute("appointment.scheduled_date")
    original_time = factory.SelfAttribute("appointment.start_time")


INTAKE_FIELDS = [
    {"key": "reason", "label": "Reason for visit", "type": "textarea", "required": True},
    {"key": "medications", "label": "Current medications", "type": "textarea", "required": False},
    {"key": "allergies", "label": "Allergies", "type": "text", "required": False},
]


class IntakeFormTemplateFactory(DjangoModelFactory):
    class Meta:
        model = IntakeFormTemplate

    clinic = factory.SubFactory(ClinicFactory)
    name = "General intake"
    fields = factory.LazyFunction(lambda: [dict(f) for f in INTAKE_FIELDS])


class IntakeSubmissionFactory(DjangoModelFactory):
    class Meta:
        model = IntakeSubmission

    appointment = factory.SubFactory(AppointmentFactory, intake_status="completed")
    clinic = factory.SelfAttribute("appointment.clinic")
    patient = factory.SelfAttribute("appointment.patient")
    template = factory.SubFactory(
        IntakeFormTemplateFactory, clinic=factory.SelfAttribute("..clinic")
    )
    template_version = factory.SelfAttribute("template.version")
    template_fields = factory.SelfAttribute("template.fields")
    responses = factory.LazyFunction(
        lambda: {"reason": "Persistent cough", "allergies": "Penicillin"}
    )
    submitted_at = factory.Faker("date_time_this_month", tzinfo=ZoneInfo("UTC"))


class DoctorNoteFactory(DjangoModelFactory):
    class Meta:
        model = DoctorNote

    doctor = factory.SubFactory(DoctorFactory)
    clinic = factory.SelfAttribute("doctor.clinic")
    patient = factory.SubFactory(PatientFactory, clinic=factory.SelfAttribute("..clinic"))
    content = factory.Faker("paragraph")


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = FollowUp

    doctor = factory.SubFactory(DoctorFactory)
    clinic = factory.SelfAttribute("doctor.clinic")
    patient = factory.SubFactory(PatientFactory, clinic=factory.SelfAttribute("..clinic"))
    scheduled_date = factory.LazyFunction(lambda: date.today() + timedelta(days=14))


class AIInteractionFactory(DjangoModelFactory):
    class Meta:
        model = AIInteraction

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")
    interaction_type = AIInteraction.Type.CALL
    direction = AIInteraction.Direction.OUTBOUND
    channel = AIInteraction.Channel.PHONE
    started_at = factory.Faker("date_time_this_month", tzinfo=ZoneInfo("UTC"))
    duration_seconds = 95
    outcome = AIInteraction.Outcome.CONFIRMED
    transcript = "AI: Hello, this is Downtown Family Medicine calling to confirm..."
