"""The demo clinic: ``manage.py loaddata demo`` and ``manage.py demo`` (contract section 9)."""

import importlib.util
import json
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Clinic, Role, User
from clinicflow.management.commands.demo import DEMO_DAY, fixture_path
from intake.models import IntakeFormTemplate, IntakeSubmission
from patients.models import Patient
from scheduling.models import Appointment
from tests.factories import UserFactory

CLINIC_TZ = ZoneInfo("America/New_York")
TABLES = [
    "users",
    "clinics",
    "clinic_settings",
    "doctors",
    "doctor_settings",
    "patients",
    "doctor_patient_relationships",
    "appointments",
    "cancellations",
    "intake_form_templates",
    "intake_submissions",
    "intake_tokens",
    "doctor_notes",
    "follow_ups",
    "sessions",
    "ai_interactions",
]
DEMO_EMAILS = ["admin@demo.com", "dr.chen@demo.com", "dr.patel@demo.com", "owner@demo.com"]


def row_counts() -> dict[str, int]:
    by_table = {model._meta.db_table: model for model in apps.get_models()}
    return {table: by_table[table].objects.count() for table in TABLES}


def fixture_rows(model: str) -> dict[str, dict]:
    rows = json.loads(fixture_path().read_text(encoding="utf-8"))
    return {row["pk"]: row["fields"] for row in rows if row["model"] == model}


def load_generator():
    path = settings.BASE_DIR / "fixtures" / "generate_demo.py"
    spec = importlib.util.spec_from_file_location("generate_demo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_loaddata_demo_fills_every_table(db):
    call_command("loaddata", "demo", verbosity=0)

    counts = row_counts()
    assert all(counts.values()), counts
    assert counts["users"] == 4
    assert counts["doctors"] == 2
    assert counts["patients"] == 20
    assert Clinic.objects.get().name == "Downtown Family Medicine"


def test_demo_twice_leaves_the_same_rows(db):
    call_command("demo", verbosity=0)
    counts = row_counts()
    appointments = list(Appointment.objects.order_by("pk").values())

    call_command("demo", verbosity=0)

    assert row_counts() == counts
    assert list(Appointment.objects.order_by("pk").values()) == appointments


def test_demo_after_loaddata_updates_the_same_rows(db):
    call_command("loaddata", "demo", verbosity=0)
    counts = row_counts()

    call_command("demo", verbosity=0)

    assert row_counts() == counts


def test_demo_day_becomes_today_with_the_contract_mix(db):
    call_command("demo", verbosity=0)

    today = timezone.localdate(timezone=CLINIC_TZ)
    todays = Appointment.objects.filter(scheduled_date=today)
    assert Counter(todays.values_list("status", flat=True)) == {
        "confirmed": 8,
        "unconfirmed": 4,
        "arrived": 2,
        "completed": 3,
    }
    assert all(a.arrived and a.arrived_at for a in todays.filter(status="arrived"))
    confirmed = todays.filter(status="confirmed")
    assert all(a.intake_status == "completed" for a in confirmed)
    summaries = IntakeSubmission.objects.filter(appointment__in=confirmed)
    assert {s.appointment_id for s in summaries} == {a.pk for a in confirmed}
    assert all(s.ai_summary_status == "ready" and s.ai_summary for s in summaries)


@pytest.mark.parametrize(
    "day",
    [None, date(2026, 7, 6), date(2026, 3, 9)],
    ids=["today", "summer-time", "day-after-dst-starts"],
)
def test_starts_at_is_the_wall_clock_in_the_clinic_zone(db, day):
    call_command("demo", date=day, verbosity=0)

    for appointment in Appointment.objects.all():
        starts = datetime.combine(appointment.scheduled_date, appointment.start_time, CLINIC_TZ)
        ends = datetime.combine(appointment.scheduled_date, appointment.end_time, CLINIC_TZ)
        assert appointment.starts_at == starts, appointment
        assert appointment.ends_at == ends, appointment
        assert appointment.ends_at - appointment.starts_at == timedelta(minutes=30)


def test_timestamps_move_by_whole_days_and_keep_their_fixture_values(db):
    """Raw saves keep auto_now/auto_now_add values; a DST change keeps the wall clock."""
    call_command("demo", date=date(2026, 7, 6), verbosity=0)

    days = date(2026, 7, 6) - DEMO_DAY
    clinic = Clinic.objects.get()
    fixture_clinic = fixture_rows("accounts.clinic")[str(clinic.pk)]
    expected = parse_datetime(fixture_clinic["created_at"]) + days
    assert clinic.created_at.astimezone(CLINIC_TZ).replace(tzinfo=None) == expected.replace(
        tzinfo=None
    )
    for pk, fields in fixture_rows("scheduling.appointment").items():
        appointment = Appointment.objects.get(pk=pk)
        for name in ("created_at", "updated_at"):
            before = parse_datetime(fields[name])
            after = getattr(appointment, name).astimezone(CLINIC_TZ)
            assert after.date() == before.date() + days
            assert after.time() == before.time()


def test_birth_dates_stay_put(db):
    call_command("demo", date=date(2026, 7, 6), verbosity=0)

    births = {
        pk: fields["date_of_birth"] for pk, fields in fixture_rows("patients.patient").items()
    }
    assert {str(p.pk): p.date_of_birth.isoformat() for p in Patient.objects.all()} == births


def test_demo_users_sign_in_with_demo1234(db):
    call_command("demo", verbosity=0)

    for email in DEMO_EMAILS:
        user = authenticate(username=email, password="demo1234")
        assert user is not None, email
        assert user.is_active
        assert user.clinic.name == "Downtown Family Medicine"


def test_demo_refuses_an_email_taken_by_another_user(db):
    UserFactory(email="admin@demo.com", role=Role.ADMIN)

    with pytest.raises(CommandError, match=r"admin@demo\.com"):
        call_command("demo", verbosity=0)


def test_command_and_generator_agree_on_the_demo_day():
    assert load_generator().DEMO_DAY == DEMO_DAY
    assert DEMO_DAY.weekday() == 0  # a Monday


def test_demo_json_is_what_the_generator_writes():
    """fixtures/demo.json is up to date: regenerate it after a model change."""
    generator = load_generator()

    assert generator.render(generator.build()) == fixture_path().read_text(encoding="utf-8")


def test_the_demo_template_says_what_each_question_is_about(db):
    call_command("loaddata", "demo", verbosity=0)

    [template] = IntakeFormTemplate.objects.all()
    topics = {field["key"]: field.get("topic") for field in template.fields}
    assert topics["current_medications"] == "medications"
    assert topics["allergies"] == "allergies"
    assert topics["reason"] == "chief_complaint"
    assert topics["anything_else"] == "concerns"
    assert topics["consent"] is None  # paperwork: left out of the summary


def test_every_demo_summary_regenerated_in_the_admin_reads_correctly(
    db, client, django_capture_on_commit_callbacks
):
    """Each allergy and medication the demo patients wrote is in its bullet, no line
    says "none" unless the patient did, and every line names its answers."""
    call_command("loaddata", "demo", verbosity=0)
    stored = {s.pk: s.ai_summary for s in IntakeSubmission.objects.all()}
    client.force_login(User.objects.create_superuser("ops@clinicflow.test", "a-passphrase-1"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/intake/intakesubmission/",
            {"action": "regenerate_summary", "_selected_action": [str(pk) for pk in stored]},
        )

    assert response.status_code == 302
    submissions = IntakeSubmission.objects.all()
    assert len(submissions) == len(stored) >= 15
    for submission in submissions:
        assert submission.ai_summary_status == "ready", submission.pk
        assert submission.ai_summary_source == "local"
        if stored[submission.pk]:  # the fixture was written by the same summarizer
            assert submission.ai_summary == stored[submission.pk]
        answers = submission.responses
        lines = {s["topic"]: s["bullet"] for s in submission.ai_summary_sources}
        for topic, key in (("allergies", "allergies"), ("medications", "current_medications")):
            if answers[key] == "None":
                assert lines[topic].startswith(f"{topic.capitalize()}: none (“"), lines[topic]
            else:
                assert answers[key] in lines[topic]
                assert "none" not in lines[topic].lower()
        assert answers["reason"].rstrip(".") in lines["chief_complaint"]
        for source in submission.ai_summary_sources:
            assert source["field_keys"], source
            assert set(source["field_keys"]) <= set(answers)
        assert "I confirm" not in submission.ai_summary
