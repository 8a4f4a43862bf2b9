"""Fixtures of the scheduling tests: patients on both sides of the clinic wall, and a
frozen clock.

Sign in (``api(user)``) *after* freezing time: a session expires relative to "now".
"""

from datetime import UTC, date, datetime, time

import pytest

from tests.factories import DoctorFactory, PatientFactory
from tests.scheduling.helpers import NY


@pytest.fixture
def patient(clinic):
    return PatientFactory(clinic=clinic, first_name="Ann", last_name="Smith")


@pytest.fixture
def other_patient(clinic):
    return PatientFactory(clinic=clinic, first_name="Bea", last_name="Jones")


@pytest.fixture
def outsider_doctor(other_clinic):
    return DoctorFactory(clinic=other_clinic, name="Dr. Uptown")


@pytest.fixture
def outsider_patient(other_clinic):
    return PatientFactory(clinic=other_clinic, first_name="Otto", last_name="Uptown")


@pytest.fixture
def freeze(monkeypatch):
    """``freeze(day, "HH:MM")`` makes ``timezone.now()`` that New York wall time."""

    def at(day: date, hhmm: str) -> datetime:
        moment = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=NY).astimezone(UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return moment

    return at
