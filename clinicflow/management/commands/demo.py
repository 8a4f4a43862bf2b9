"""``manage.py demo``: loads the demo clinic with its demo day moved to today.

``fixtures/demo.json`` is written around ``DEMO_DAY``. This command loads it the way
``loaddata`` does (same primary keys, so a second run updates the same rows) but
first moves every date by the whole number of days between ``DEMO_DAY`` and today
in the clinic's time zone, so the schedule, dashboards and history read as "today".

It loads every app's rows, so it lives in ``clinicflow`` (the bottom layer) and names
the models it needs through the app registry instead of importing any app.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone

# The day fixtures/demo.json is written around: fixtures/generate_demo.py's DEMO_DAY
# (a Monday). Keep the two equal; tests/test_demo.py checks that they are.
DEMO_DAY = date(2026, 1, 5)

# A birth date is a fact about the patient, not an event of the demo: it stays put
# (moving it would change every demo patient's birthday on every run).
FIXED_FIELDS = frozenset({("patients", "patient", "date_of_birth")})


def fixture_path() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "demo.json"


def wall_clock_shift(value: datetime, days: timedelta, zone: ZoneInfo) -> datetime:
    """The same clinic wall-clock time ``days`` later (not ``days`` * 24 hours: DST)."""
    local = value.astimezone(zone) if timezone.is_aware(value) else value
    return datetime.combine(local.date() + days, local.time(), tzinfo=zone)


def shift(instance: models.Model, days: timedelta, zone: ZoneInfo) -> None:
    """Moves every date and timestamp of ``instance`` by ``days`` in the clinic's zone.

    An appointment's ``starts_at``/``ends_at`` are recomputed from its (moved)
    wall-clock date and times, which stay the truth the clinic books by.
    """
    opts = instance._meta
    for field in opts.concrete_fields:
        if (opts.app_label, opts.model_name, field.name) in FIXED_FIELDS:
            continue
        value = getattr(instance, field.attname)
        if value is None:
            continue
        # DateTimeField is a DateField: test it first.
        if isinstance(field, models.DateTimeField):
            setattr(instance, field.attname, wall_clock_shift(value, days, zone))
        elif isinstance(field, models.DateField):
            setattr(instance, field.attname, value + days)
    if isinstance(instance, apps.get_model("scheduling", "Appointment")):
        instance.starts_at = datetime.combine(
            instance.scheduled_date, instance.start_time, tzinfo=zone
        )
        end_day = instance.scheduled_date
        if instance.end_time <= instance.start_time:  # a visit that runs past midnight
            end_day += timedelta(days=1)
        instance.ends_at = datetime.combine(end_day, instance.end_time, tzinfo=zone)


class Command(BaseCommand):
    help = (
        "Loads the demo clinic (fixtures/demo.json) and moves its dates so that the "
        "demo day is today in the clinic's time zone. Safe to run again: it updates "
        "the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            help="Make the demo day this date (YYYY-MM-DD) instead of today.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        using = options["database"]
        path = fixture_path()
        if not path.exists():
            raise CommandError(f"{path} is missing; run fixtures/generate_demo.py.")

        with transaction.atomic(using=using):
            objects = list(serializers.deserialize("json", path.read_text(encoding="utf-8")))
            Clinic = apps.get_model("accounts", "Clinic")
            clinics = [obj.object for obj in objects if isinstance(obj.object, Clinic)]
            if len(clinics) != 1:
                raise CommandError(f"{path} should hold one clinic, not {len(clinics)}.")
            zone = ZoneInfo(clinics[0].timezone)
            today = options["date"] or timezone.localdate(timezone=zone)
            days = today - DEMO_DAY
            self._check_emails_free(objects, using)

            for obj in objects:
                shift(obj.object, days, zone)
                # DeserializedObject.save() is a raw save: auto_now/auto_now_add fields
                # keep the fixture's (moved) values, and an existing pk is updated.
                obj.save(using=using)

        if options["verbosity"] >= 1:
            tables = Counter(obj.object._meta.db_table for obj in objects)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {len(objects)} demo rows into {len(tables)} tables. "
                    f"Demo day {DEMO_DAY} is now {today} ({zone.key}, {days.days:+d} days)."
                )
            )
            self.stdout.write(
                "Sign in as admin@demo.com, dr.chen@demo.com, dr.patel@demo.com or "
                "owner@demo.com with the password demo1234."
            )

    def _check_emails_free(self, objects, using):
        """A demo address held by another user would fail deep inside the load; say so."""
        User = apps.get_model("accounts", "User")
        for obj in objects:
            user = obj.object
            if not isinstance(user, User):
                continue
            other = (
                User.objects.using(using)
                .filter(email__iexact=user.email)
                .exclude(pk=user.pk)
                .first()
            )
            if other is not None:
                raise CommandError(
                    f"{user.email} already belongs to another user ({other.pk}); "
                    "rename or delete that user, then run demo again."
                )
