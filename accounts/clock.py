"""Clinic wall-clock time and aware timestamps, safe on DST change days.

Appointments are spoken of in the clinic's wall clock (date + ``HH:MM``); overlap
and "is it past" are decided on aware timestamps. Converting goes through here.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import WEEKDAYS, Clinic


def clinic_zone(clinic: Clinic) -> ZoneInfo:
    return ZoneInfo(clinic.timezone)


def clinic_now(clinic: Clinic) -> datetime:
    return timezone.now().astimezone(clinic_zone(clinic))


def clinic_today(clinic: Clinic) -> date:
    return clinic_now(clinic).date()


def weekday_name(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def wall_to_aware(zone: ZoneInfo, day: date, at: time) -> datetime | None:
    """The moment (in UTC) the clinic's clock shows ``day at``; None for a wall time
    that does not exist (skipped by a spring-forward change). An ambiguous
    fall-back time means its first occurrence.

    UTC because Python adds and compares datetimes of one zone on the wall clock,
    which is wrong across a DST change; in UTC ``+ timedelta`` is real time."""
    moment = datetime.combine(day, at, tzinfo=zone)
    round_trip = moment.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None
    return moment.astimezone(UTC)


def aware_to_wall(zone: ZoneInfo, moment: datetime) -> tuple[date, time]:
    local = moment.astimezone(zone)
    return local.date(), local.time().replace(tzinfo=None, fold=0)


def day_bounds(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """The aware start of ``day`` and of the next day in ``zone`` (23, 24 or 25 hours apart)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end
