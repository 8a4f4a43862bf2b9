"""Helpers shared by the dashboard tests: URLs, the list filters each hero card
stands for, and a seeded scatter of appointments to count.

Every card is checked against ``GET /api/appointments`` with the filters below,
so a card never disagrees with the list a click on it opens.
"""

import random
from collections import Counter
from datetime import date, time

from scheduling.models import Appointment
from tests.factories import AppointmentFactory

APPOINTMENTS = "/api/appointments/"
ADMIN_SUMMARY = "/api/dashboard/admin/summary/"
NEEDS_ATTENTION = "/api/dashboard/admin/needs-attention/"
CANCELLATIONS = "/api/dashboard/admin/cancellations/"
DOCTOR_SUMMARY = "/api/dashboard/doctor/summary/"
DOCTOR_TODAY = "/api/dashboard/doctor/today/"
METRICS = "/api/metrics/appointments/"

STATUSES = (
    "unconfirmed",
    "confirmed",
    "arrived",
    "in_progress",
    "completed",
    "cancelled",
    "no_show",
)
INTAKE_STATUSES = ("not_sent", "sent", "completed", "skipped")
LIVE = ("unconfirmed", "confirmed", "arrived", "in_progress", "completed")
OPEN = ("unconfirmed", "confirmed")
MISSING = ("not_sent", "sent")

# Hero card -> the /api/appointments filters (besides ``date``) whose count it is.
ADMIN_CARDS = {
    "total_appointments": {"status": ",".join(LIVE)},
    "confirmed": {"status": "confirmed"},
    "unconfirmed": {"status": "unconfirmed"},
    "arrived": {"status": "arrived"},
    "in_progress": {"status": "in_progress"},
    "completed": {"status": "completed"},
    "cancelled_today": {"status": "cancelled"},
    "no_shows_today": {"status": "no_show"},
}
DOCTOR_CARDS = {
    "my_appointments": {"status": ",".join(LIVE)},
    "confirmed": {"status": "confirmed"},
    "unconfirmed": {"status": "unconfirmed"},
    "arrived": {"status": "arrived"},
    "in_progress": {"status": "in_progress"},
    "completed": {"status": "completed"},
}
MISSING_INTAKE = {"status": ",".join(OPEN), "intake_status": ",".join(MISSING)}

# Half-hour starts, including either side of local midnight.
SLOTS = [time(0, 15)] + [time(h, m) for h in range(7, 19) for m in (0, 30)] + [time(23, 30)]


def list_count(client, **params) -> int:
    """``count`` of ``GET /api/appointments`` with these filters."""
    query = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in params.items()}
    response = client.get(APPOINTMENTS, query)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def cards_from_the_list(client, cards: dict, day: date, *, intake_required: bool) -> dict:
    """What each card should say, read off the appointment list."""
    expected = {card: list_count(client, date=day, **f) for card, f in cards.items()}
    expected["missing_intake"] = (
        list_count(client, date=day, **MISSING_INTAKE) if intake_required else 0
    )
    return expected


def scatter(rng: random.Random, *, doctors, patients, days, most: int = 6) -> list[Appointment]:
    """For each doctor and day, up to ``most`` appointments at distinct starts, each
    with a random patient, status and intake status (none overlap, so PostgreSQL's
    exclusion constraint is content)."""
    made = []
    for doctor in doctors:
        for day in days:
            for start in rng.sample(SLOTS, rng.randint(0, most)):
                made.append(
                    AppointmentFactory(
                        doctor=doctor,
                        patient=rng.choice(patients),
                        scheduled_date=day,
                        start_time=start,
                        duration=30,
                        status=rng.choice(STATUSES),
                        intake_status=rng.choice(INTAKE_STATUSES),
                    )
                )
    return made


def tally(appointments, *, day: date, intake_required: bool, doctor=None) -> dict:
    """The day's counts, worked out in Python from the rows a test wrote."""
    rows = [
        a
        for a in appointments
        if a.scheduled_date == day and (doctor is None or a.doctor_id == doctor.pk)
    ]
    by_status = Counter(a.status for a in rows)
    missing = sum(1 for a in rows if a.status in OPEN and a.intake_status in MISSING)
    return {
        "live": sum(by_status[s] for s in LIVE),
        "by_status": {s: by_status[s] for s in STATUSES},
        "missing_intake": missing if intake_required else 0,
    }


def set_intake_required(clinic, required: bool) -> None:
    clinic.settings.intake_required = required
    clinic.settings.save()


def iso(value) -> str:
    return value.isoformat() if isinstance(value, date) else value
