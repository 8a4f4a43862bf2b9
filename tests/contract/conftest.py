"""The world the contract tests run in: one clinic with every kind of record, an
outsider clinic, and the OpenAPI schema loaded from the running app, once per role.

Ids in generated paths are drawn from these records half of the time, so the
checks reach real objects (200s, 409s) as well as unknown ones (404s).
"""

import logging
from collections import Counter
from datetime import date, time, timedelta
from time import monotonic

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Role
from accounts.services import session_start
from intake.services import intake_send
from notes.services import follow_up_create
from tests.factories import (
    AIInteractionFactory,
    AppointmentFactory,
    CancellationFactory,
    ClinicFactory,
    DoctorFactory,
    DoctorNoteFactory,
    DoctorPatientRelationshipFactory,
    IntakeFormTemplateFactory,
    IntakeSubmissionFactory,
    PatientFactory,
    UserFactory,
)

ROLES = ("admin", "doctor", "owner", "anonymous")

# Bounded and reproducible: the same cases on every run, ~3 minutes for all four
# roles on 2 cores. Most of the ~4,600 requests per role come from schemathesis'
# coverage phase (boundary and invalid values of every parameter and property,
# undeclared methods, missing bodies), which max-examples does not bound; the
# random (fuzzing) phase adds up to MAX_EXAMPLES per operation and mode.
MAX_EXAMPLES = 5
SEED = 20261203

# (role, operation) -> number of requests made; printed at the end of the run.
EXAMPLES: Counter = Counter()
FAILURES: Counter = Counter()
TIMES: dict = {}


VALID_DATA_STATUSES = ["2xx", "400", "401", "403", "404", "409", "410", "422", "429"]


def schemathesis_config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            # Every check schemathesis has. Valid-by-schema data may still break a
            # clinic rule the schema cannot express (a booking in the past, outside
            # working hours, on a closed day), which the contract answers with 400
            # and a code, or 422 for intake answers that do not fit the form.
            "checks": {
                "positive_data_acceptance": {"expected-statuses": VALID_DATA_STATUSES},
            },
        }
    )


@pytest.fixture
def contract_world(db, monkeypatch):
    """Every record an id in a path can name, in the caller's clinic and outside it."""
    # Throttles stay on (their 429s are documented) but high enough that one run's
    # examples exercise the endpoints rather than the limiter. DRF reads the rates
    # into the throttle class at import, so they are raised there.
    rates = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "100000/min")
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    clinic = ClinicFactory(name="Downtown Family Medicine", timezone="America/New_York")
    other = ClinicFactory(name="Uptown Pediatrics", timezone="America/Chicago")
    admin = UserFactory(clinic=clinic, role=Role.ADMIN, email="admin@clinic.test")
    UserFactory(clinic=clinic, role=Role.ADMIN, email="second.admin@clinic.test")
    owner = UserFactory(clinic=clinic, role=Role.OWNER, email="owner@clinic.test")
    doctor = DoctorFactory(clinic=clinic, user__email="dr.chen@clinic.test", name="Dr. Chen")
    other_doctor = DoctorFactory(clinic=clinic, user__email="dr.patel@clinic.test")
    outsider = UserFactory(clinic=other, role=Role.ADMIN, email="admin@uptown.test")
    outsider_doctor = DoctorFactory(clinic=other)

    patients = [PatientFactory(clinic=clinic) for _ in range(3)]
    for patient in patients[:2]:
        DoctorPatientRelationshipFactory(doctor=doctor, patient=patient)
    outsider_patient = PatientFactory(clinic=other)

    soon = date.today() + timedelta(days=7)
    appointments = [
        AppointmentFactory(doctor=doctor, patient=patients[0], scheduled_date=soon),
        AppointmentFactory(
            doctor=doctor,
            patient=patients[1],
            scheduled_date=soon,
            start_time=time(11, 0),
            status="confirmed",
        ),
        AppointmentFactory(doctor=other_doctor, patient=patients[2], scheduled_date=soon),
        AppointmentFactory(doctor=outsider_doctor, patient=outsider_patient),
    ]
    CancellationFactory(appointment__doctor=doctor, appointment__patient=patients[0])
    template = IntakeFormTemplateFactory(clinic=clinic)
    submission = IntakeSubmissionFactory(
        appointment__doctor=doctor, appointment__patient=patients[1], template=template
    )
    url, _ = intake_send(appointment=appointments[0], template=template, by=admin)
    note = DoctorNoteFactory(doctor=doctor, patient=patients[0])
    follow_up = follow_up_create(
        by=doctor.user,
        doctor=doctor,
        patient=patients[0],
        appointment=appointments[0],
        scheduled_date=soon + timedelta(days=30),
    )
    AIInteractionFactory(patient=patients[0], appointment=appointments[0])

    ids = {
        "patients": [*patients, outsider_patient],
        "doctors": [doctor, other_doctor, outsider_doctor],
        "clinics": [clinic, other],
        "appointments": appointments,
        "intake/templates": [template],
        "intake/submissions": [submission],
        "doctor-notes": [note],
        "follow-ups": [follow_up],
        "settings/users": [admin, owner, doctor.user, outsider],
    }
    return {
        "users": {"admin": admin, "doctor": doctor.user, "owner": owner},
        "ids": {key: [str(obj.pk) for obj in objs] for key, objs in ids.items()},
        "patient_ids": [str(p.pk) for p in [*patients, outsider_patient]],
        "token": url.rstrip("/").rsplit("/", 1)[-1],
    }


def _real_ids_for(path: str, name: str, world) -> list[str]:
    if name == "token":
        return [world["token"]]
    if name == "patient_id":
        return world["patient_ids"]
    resource = path.removeprefix("/api/").split("/{", 1)[0]
    return world["ids"].get(resource, [])


@pytest.fixture
def _quiet_request_log():
    """Thousands of expected 4xx would flood the log; 5xx are still logged."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(params=ROLES)
def api_schema(request, contract_world, _quiet_request_log):
    """The app's own /api/schema/, as ``role`` calls it."""
    role = request.param
    # The WSGI app runs inside the test's transaction: keep Django from closing the
    # connection at the end of each request, as its test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", get_wsgi_application(), config=schemathesis_config()
    )
    if role != "anonymous":
        access, _ = session_start(user=contract_world["users"][role])
        schema.config.update(headers={"Authorization": f"Bearer {access}"})
        # Logging out would revoke this run's session and turn every later case into
        # a 401; the logout itself is covered by tests/accounts/test_auth.py.
        schema = schema.exclude(path="/api/auth/logout")

    @schema.hook
    def flatmap_path_parameters(ctx, path_parameters):
        choices = {
            name: _real_ids_for(ctx.operation.path, name, contract_world)
            for name in path_parameters or {}
        }
        if not any(choices.values()):
            return st.just(path_parameters)
        return st.fixed_dictionaries(
            {
                name: st.sampled_from([value, *choices[name]]) if choices[name] else st.just(value)
                for name, value in path_parameters.items()
            }
        )

    started = monotonic()
    schema.role = role
    yield schema
    TIMES[role] = monotonic() - started
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def pytest_terminal_summary(terminalreporter):
    if not EXAMPLES:
        return
    terminalreporter.section("schemathesis")
    for role in ROLES:
        operations = {op for (r, op) in EXAMPLES if r == role}
        if not operations:
            continue
        count = sum(n for (r, _), n in EXAMPLES.items() if r == role)
        failures = sum(n for (r, _), n in FAILURES.items() if r == role)
        terminalreporter.write_line(
            f"{role:>9}: {len(operations)} operations, {count} requests, "
            f"{failures} failing, {TIMES.get(role, 0):.0f}s"
        )
