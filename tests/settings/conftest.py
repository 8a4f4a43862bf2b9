"""Fixtures of the settings tests: a patient, an admin client, and a frozen clock.

Sign in (``api(user)``) *after* freezing time: a session expires relative to "now".
"""

from datetime import UTC, date, datetime, time

import pytest

from tests.factories import PatientFactory
from tests.settings.helpers import NY


@pytest.fixture
def patient(clinic):
    return PatientFactory(clinic=clinic, first_name="Ann", last_name="Smith")


@pytest.fixture
def freeze(monkeypatch):
    """``freeze(day, "HH:MM")`` makes ``timezone.now()`` that New York wall time;
    ``freeze(moment)`` makes it an aware moment."""

    def at(day_or_moment, hhmm: str | None = None) -> datetime:
        if isinstance(day_or_moment, datetime):
            moment = day_or_moment.astimezone(UTC)
        else:
            assert isinstance(day_or_moment, date)
            moment = datetime.combine(
                day_or_moment, time.fromisoformat(hhmm), tzinfo=NY
            ).astimezone(UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return moment

    return at
