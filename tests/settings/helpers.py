"""Helpers of the settings tests: the endpoints and their keys, known dates, booking,
availability and error assertions.

Bookings go on Monday 2030-01-07 (New York), far from the real clock; tests about
"today", the notice or no-shows freeze time (see the ``freeze`` fixture).
"""

from datetime import date
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
MONDAY = date(2030, 1, 7)
SATURDAY = date(2030, 1, 12)
APPOINTMENTS = "/api/appointments/"
AVAILABLE = "/api/schedule/available"

SETTINGS = {
    "clinic": "/api/settings/clinic",
    "scheduling": "/api/settings/scheduling",
    "intake": "/api/settings/intake",
    "notifications": "/api/settings/notifications",
}
MY_PREFERENCES = "/api/settings/my-preferences"
USERS = "/api/settings/users"

# Each group with its keys and their defaults (the guide's clinic_settings).
DEFAULTS = {
    "clinic": {
        "working_days": {
            "monday": True,
            "tuesday": True,
            "wednesday": True,
            "thursday": True,
            "friday": True,
            "saturday": False,
            "sunday": False,
        },
        "clinic_hours": {"start": "09:00", "end": "17:00"},
        "slot_size": 30,
        "session_timeout": 480,
        "date_format": "MM/DD/YYYY",
        "time_format": "12h",
        "default_dashboard_view": "dashboard",
        "auto_refresh_interval": 30,
    },
    "scheduling": {
        "allow_overlapping": False,
        "allow_walk_ins": True,
        "require_provider": True,
        "allow_admin_override": True,
        "minimum_cancellation_notice": 60,
        "auto_no_show_threshold": 15,
        "cancellation_reason_required": True,
    },
    "intake": {
        "intake_required": True,
        "lock_appointment_if_missing": False,
        "allow_manual_completion": True,
        "intake_delivery_path": "automatic",
    },
    "notifications": {
        "notify_unconfirmed": True,
        "notify_missing_intake": True,
        "notify_cancellations": True,
        "notify_no_shows": True,
        "notify_via_app": True,
        "notify_via_email": False,
    },
}


def put_settings(client, group: str, **changes):
    response = client.put(SETTINGS[group], changes, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def booking(doctor, patient, **changes) -> dict:
    """A valid booking body: Monday 2030-01-07 10:00, in clinic, no intake."""
    body = {
        "doctor_id": str(doctor.id),
        "patient_id": str(patient.id),
        "scheduled_date": MONDAY.isoformat(),
        "start_time": "10:00",
        "visit_type": "in_clinic",
        "intake_path": "skip",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


def book(client, doctor, patient, **changes):
    return client.post(APPOINTMENTS, booking(doctor, patient, **changes), format="json")


def appointment_url(appointment, action: str | None = None) -> str:
    pk = getattr(appointment, "pk", appointment)
    return f"{APPOINTMENTS}{pk}/{action}/" if action else f"{APPOINTMENTS}{pk}/"


def available(client, doctor, day: date | None = MONDAY):
    params = {"doctor_id": str(doctor.id)}
    if day is not None:
        params["date"] = day.isoformat()
    response = client.get(AVAILABLE, params)
    assert response.status_code == 200, response.content
    return response.json()


def starts(body: dict) -> list[str]:
    return [slot["start"] for slot in body["slots"]]


def assert_error(response, status: int, code: str | None = None) -> dict:
    """A ``{"detail", "code", ...}`` refusal with this status (and code)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert "detail" in body, body
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_field_error(response, field: str) -> object:
    """A 400 in DRF's ``{field: [messages]}`` shape that names ``field``."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert body[field], body
    return body[field]
