"""Fixtures of the notes and follow-up tests: patients on each side of the doctors'
relationships and of the clinic wall, an outsider doctor, and a frozen clock.

Sign in (``api(user)``) *after* freezing time: a session expires relative to "now".
"""

from datetime import UTC, date, datetime, time

import pytest

from tests.factories import DoctorFactory, DoctorPatientRelationshipFactory, PatientFactory
from tests.scheduling.helpers import NY


def _seen_by(patient, *doctors):
    for doctor in doctors:
        DoctorPatientRelationshipFactory(doctor=doctor.doctor, patient=patient)
    return patient


@pytest.fixture
def patient(clinic, doctor):
    """Ann Smith, a patient of ``doctor`` only."""
    return _seen_by(PatientFactory(clinic=clinic, first_name="Ann", last_name="Smith"), doctor)


@pytest.fixture
def shared_patient(clinic, doctor, other_doctor):
    """Bea Jones, seen by both ``doctor`` and ``other_doctor``."""
    return _seen_by(
        PatientFactory(clinic=clinic, first_name="Bea", last_name="Jones"), doctor, other_doctor
    )


@pytest.fixture
def stranger(clinic):
    """Cal Brown, a patient of the clinic whom ``doctor`` has never seen."""
    return PatientFactory(clinic=clinic, first_name="Cal", last_name="Brown")


@pytest.fixture
def outsider_doctor(other_clinic):
    """A doctor *user* of the other clinic."""
    return DoctorFactory(clinic=other_clinic, name="Dr. Uptown").user


@pytest.fixture
def outsider_patient(other_clinic, outsider_doctor):
    return _seen_by(
        PatientFactory(clinic=other_clinic, first_name="Otto", last_name="Uptown"),
        outsider_doctor,
    )


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
