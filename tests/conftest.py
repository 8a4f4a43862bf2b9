"""Personas and clients shared by every test (after Healthchecks' Alice/Bob/Charlie).

``admin``, ``doctor``, ``other_doctor`` and ``owner`` work in one clinic;
``outsider_admin`` runs another. ``api(user)`` is an API client signed in as that
user through a real session; ``anon`` is one with no token.
"""

import os

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import session_start
from tests.factories import ClinicFactory, DoctorFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("CLINICFLOW_REQUIRE_SERVICES") == "1"
# Debian's package; tests/browser drives it (Playwright never downloads a browser here).
CHROMIUM = os.environ.get("CLINICFLOW_CHROMIUM", "/usr/bin/chromium")


def pytest_runtest_setup(item):
    """``@pytest.mark.postgres`` / ``redis`` / ``browser`` tests skip with a reason when
    the service (or Chromium) is absent, or fail under CLINICFLOW_REQUIRE_SERVICES=1 (CI)."""
    missing = []
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        missing.append("Redis (set REDIS_URL=redis://...)")
    if item.get_closest_marker("browser") and not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if missing:
        reason = "needs " + " and ".join(missing)
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and CLINICFLOW_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolation(settings):
    """Each test starts with an empty cache (throttles) and plain static storage, and
    runs background jobs in-process after commit (tests/test_jobs.py covers RQ)."""
    settings.JOBS_INLINE = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Downtown Family Medicine", timezone="America/New_York")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Uptown Pediatrics", timezone="America/Chicago")


@pytest.fixture
def admin(clinic):
    return UserFactory(clinic=clinic, role=Role.ADMIN, email="admin@clinic.test")


@pytest.fixture
def owner(clinic):
    return UserFactory(clinic=clinic, role=Role.OWNER, email="owner@clinic.test")


@pytest.fixture
def doctor(clinic):
    """The doctor *user*; their profile is ``doctor.doctor``."""
    return DoctorFactory(clinic=clinic, user__email="dr.chen@clinic.test", name="Dr. Chen").user


@pytest.fixture
def other_doctor(clinic):
    return DoctorFactory(clinic=clinic, user__email="dr.patel@clinic.test", name="Dr. Patel").user


@pytest.fixture
def outsider_admin(other_clinic):
    return UserFactory(clinic=other_clinic, role=Role.ADMIN, email="admin@uptown.test")


@pytest.fixture
def api():
    def signed_in(user) -> APIClient:
        access, _ = session_start(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client

    return signed_in


@pytest.fixture
def anon():
    return APIClient()
