"""Measures the busiest read endpoints against a generated clinic.

Runs inside a transaction that is rolled back, so the database is left as it was:

    DATABASE_URL=postgres://... python manage.py benchmark --doctors 10 --appointments 5000
"""

import random
import statistics
import time as clock
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings

from accounts.clock import clinic_today, clinic_zone, wall_to_aware
from accounts.models import Clinic, ClinicSettings, Doctor, DoctorSettings, Role, User
from accounts.services import session_start
from patients.models import Patient
from scheduling.models import Appointment, AppointmentStatus


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Times the schedule and dashboard endpoints on generated data (rolled back after)."

    def add_arguments(self, parser):
        parser.add_argument("--doctors", type=int, default=10)
        parser.add_argument("--appointments", type=int, default=5000)
        parser.add_argument("--patients", type=int, default=2000)
        parser.add_argument("--runs", type=int, default=200)

    def handle(self, *args, **options):
        try:
            with override_settings(ALLOWED_HOSTS=["testserver"]), transaction.atomic():
                self._run(**options)
                raise Rollback
        except Rollback:
            pass

    def _run(self, *, doctors, appointments, patients, runs, **_):
        rng = random.Random(7)  # noqa: S311 - sample data, not secrets
        clinic, admin, doctor_rows = self._clinic(doctors)
        patient_rows = Patient.objects.bulk_create(
            Patient(
                clinic=clinic, first_name=f"Pat{i}", last_name=f"Ient{i}", email=f"p{i}@example.org"
            )
            for i in range(patients)
        )
        today = clinic_today(clinic)
        self._appointments(clinic, admin, doctor_rows, patient_rows, appointments, today, rng)
        self.stdout.write(
            f"{connection.vendor}: {doctors} doctors, {appointments} appointments, "
            f"{patients} patients; {runs} runs each"
        )

        client = Client()
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {session_start(user=admin)[0]}"
        doctor_client = Client()
        doctor_client.defaults["HTTP_AUTHORIZATION"] = (
            f"Bearer {session_start(user=doctor_rows[0].user)[0]}"
        )
        sample = Appointment.objects.filter(clinic=clinic, scheduled_date=today).first()
        endpoints = [
            (client, "/api/auth/me"),
            (client, f"/api/schedule/grid?date={today}"),
            (client, f"/api/schedule/available?doctor_id={doctor_rows[0].id}&date={today}"),
            (client, f"/api/appointments?date={today}&page_size=100"),
            (client, f"/api/appointments/{sample.id}/detail"),
            (doctor_client, f"/api/schedule/my?date={today}"),
            (client, f"/api/dashboard/admin/summary?date={today}"),
            (client, "/api/dashboard/admin/needs-attention"),
            (doctor_client, "/api/dashboard/doctor/today"),
            (doctor_client, "/api/dashboard/doctor/summary"),
        ]
        for caller, url in endpoints:
            self._measure(caller, url, runs)

    def _measure(self, client, url, runs):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
        ):
            client.get(url)
        timings = []
        for _ in range(runs):
            started = clock.perf_counter()
            client.get(url)
            timings.append((clock.perf_counter() - started) * 1000)
        timings.sort()
        self.stdout.write(
            f"  {url.split('?')[0]:<52} median {statistics.median(timings):6.2f} ms  "
            f"p95 {timings[int(len(timings) * 0.95) - 1]:6.2f} ms  queries {len(queries)}"
        )

    def _clinic(self, doctors):
        clinic = Clinic.objects.create(name="Benchmark Clinic", timezone="America/New_York")
        ClinicSettings.objects.create(
            clinic=clinic, working_days=dict.fromkeys(ClinicSettings().working_days, True)
        )
        admin = User.objects.create_user(
            f"bench-admin-{clinic.id}@example.org", "x", role=Role.ADMIN, clinic=clinic
        )
        rows = []
        for n in range(doctors):
            user = User.objects.create_user(
                f"bench-dr{n}-{clinic.id}@example.org", "x", role=Role.DOCTOR, clinic=clinic
            )
            doctor = Doctor.objects.create(clinic=clinic, user=user, name=f"Dr. Bench {n}")
            DoctorSettings.objects.create(doctor=doctor)
            rows.append(doctor)
        return clinic, admin, rows

    def _appointments(self, clinic, admin, doctors, patients, count, today, rng):
        """``count`` appointments over the days around today, 30 minutes each, no overlaps."""
        per_day = len(doctors) * 16  # 09:00-17:00 in 30-minute visits
        days = max(1, -(-count // per_day))
        first_day = today - timedelta(days=days // 2)
        statuses = list(AppointmentStatus.values)
        zone = clinic_zone(clinic)
        rows = []
        for n in range(count):
            day = first_day + timedelta(days=n // per_day)
            doctor = doctors[(n % per_day) % len(doctors)]
            slot = (n % per_day) // len(doctors)
            start = time(9 + slot // 2, 30 * (slot % 2))
            starts_at = wall_to_aware(zone, day, start)
            rows.append(
                Appointment(
                    clinic=clinic,
                    doctor=doctor,
                    patient=rng.choice(patients),
                    scheduled_date=day,
                    start_time=start,
                    end_time=(datetime.combine(date.min, start) + timedelta(minutes=30)).time(),
                    duration=30,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=30),
                    visit_type="in_clinic",
                    status=rng.choice(statuses) if day < today else rng.choice(statuses[:2]),
                    created_by=admin,
                )
            )
        Appointment.objects.bulk_create(rows, batch_size=2000)
