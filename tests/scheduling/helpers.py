"""Small helpers shared by the scheduling tests: known dates, booking, assertions.

Every booking date lies far in the future on a known weekday, so no test depends
on the real clock; tests about "today" and "past" freeze time (see ``freeze``).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.models import Doctor, User
from tests.factories import AppointmentFactory

NY = ZoneInfo("America/New_York")

FRIDAY = date(2030, 1, 4)
MONDAY = date(2030, 1, 7)
TUESDAY = date(2030, 1, 8)
SATURDAY = date(2030, 1, 12)
SUNDAY = date(2030, 1, 13)
# America/New_York: 02:00 EST -> 03:00 EDT, and 02:00 EDT -> 01:00 EST.
SPRING_FORWARD = date(2030, 3, 10)
FALL_BACK = date(2030, 11, 3)

APPOINTMENTS = "/api/appointments/"
ALL_DAYS_OPEN = dict.fromkeys(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), True
)

STATUSES = (
    "unconfirmed",
    "confirmed",
    "arrived",
    "in_progress",
    "completed",
    "cancelled",
    "no_show",
)


def profile(doctor) -> Doctor:
    """The doctor profile of a doctor persona (a user) or of a profile."""
    return doctor.doctor if isinstance(doctor, User) else doctor


def appointment_url(appointment, action: str | None = None) -> str:
    pk = getattr(appointment, "pk", appointment)
    return f"{APPOINTMENTS}{pk}/{action}/" if action else f"{APPOINTMENTS}{pk}/"


def local(day: date, at: str) -> datetime:
    """The moment (in UTC) a clinic clock in New York shows ``day at``; an ambiguous
    fall-back time means its first occurrence. UTC, because Python never finds a
    repeated-hour wall time equal to a moment of another zone."""
    return datetime.combine(day, time.fromisoformat(at), tzinfo=NY).astimezone(UTC)


def parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def book(client, *, doctor, patient, **overrides):
    """POST /api/appointments with a valid Monday-morning booking, changed by ``overrides``."""
    body = {
        "doctor_id": str(profile(doctor).id),
        "patient_id": str(patient.id),
        "scheduled_date": MONDAY.isoformat(),
        "start_time": "10:00",
        "visit_type": "in_clinic",
        "visit_reason": "Persistent cough",
    }
    body.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in overrides.items()})
    return client.post(APPOINTMENTS, {k: v for k, v in body.items() if v is not None})


def appointment(doctor, patient, *, day: date = MONDAY, at: str = "10:00", duration=30, **kwargs):
    """An appointment written straight to the database (no booking rules)."""
    start = time.fromisoformat(at)
    return AppointmentFactory(
        doctor=profile(doctor),
        patient=patient,
        scheduled_date=day,
        start_time=start,
        duration=duration,
        **kwargs,
    )


def clinic_rules(clinic, **changes):
    rules = clinic.settings
    for key, value in changes.items():
        setattr(rules, key, value)
    rules.save()
    return rules


def doctor_rules(doctor, **changes):
    rules = profile(doctor).settings
    for key, value in changes.items():
        setattr(rules, key, value)
    rules.save()
    return rules


def assert_error(response, status: int, code: str | None = None) -> dict:
    """A ``{"detail", "code", ...}`` refusal with this status (and code)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert "detail" in body, body
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_field_error(response, field: str, message: str | None = None) -> list:
    """A 400 in DRF's ``{field: [messages]}`` shape that names ``field``."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    if message is not None:
        assert message in body[field], body
    return body[field]


def starts(response) -> list[str]:
    return [slot["start"] for slot in response.json()["slots"]]


def minutes_between(start: str, end: str) -> float:
    return (parse(end) - parse(start)) / timedelta(minutes=1)
