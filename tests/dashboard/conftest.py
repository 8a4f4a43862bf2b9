"""Fixtures of the dashboard tests: a frozen clock, a second doctor profile, and a
doctor of the other clinic.

Sign in (``api(user)``) *after* freezing time: a session expires relative to "now".
"""

from datetime import UTC, date, datetime, time

import pytest

from tests.factories import DoctorFactory, PatientFactory
from tests.scheduling.helpers import NY


@pytest.fixture
def patient(clinic):
    return PatientFactory(
        clinic=clinic,
        first_name="Ann",
        last_name="Smith",
        phone="+1 555 010 0199",
        flags={"vip": True},
    )


@pytest.fixture
def outsider_doctor(other_clinic):
    """A doctor *user* of the other clinic."""
    return DoctorFactory(clinic=other_clinic, name="Dr. Uptown").user


@pytest.fixture
def outsider_patient(other_clinic):
    return PatientFactory(clinic=other_clinic, first_name="Otto", last_name="Uptown")


@pytest.fixture
def freeze(monkeypatch):
    """``freeze(day, "HH:MM")`` makes ``timezone.now()`` that New York wall time;
    ``freeze(moment)`` makes it an aware moment."""

    def at(day_or_moment, hhmm: str | None = None) -> datetime:
        if isinstance(day_or_moment, datetime):
            moment = day_or_moment.astimezone(UTC)
        else:
            assert isinstance(day_or_moment, date)
            local = datetime.combine(day_or_moment, time.fromisoformat(hhmm), tzinfo=NY)
            moment = local.astimezone(UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return moment

    return at
