"""The rules every booking and status change obeys, decided in one place."""

from dataclasses import dataclass
from datetime import time

from accounts.models import Doctor
from scheduling.errors import InvalidTransition
from scheduling.models import Appointment, AppointmentStatus

S = AppointmentStatus

# The contract's status machine. Anything not listed is refused with 409.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.UNCONFIRMED: frozenset({S.CONFIRMED, S.ARRIVED, S.CANCELLED, S.NO_SHOW}),
    S.CONFIRMED: frozenset({S.ARRIVED, S.CANCELLED, S.NO_SHOW}),
    S.ARRIVED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}

# Only a visit that has not begun can move to another time or doctor.
RESCHEDULABLE = frozenset({S.UNCONFIRMED, S.CONFIRMED})


def check_transition(appointment: Appointment, target: str) -> None:
    if target not in TRANSITIONS[appointment.status]:
        raise InvalidTransition(
            f"A {appointment.get_status_display().lower()} appointment cannot become "
            f"{S(target).label.lower()}.",
            extra={"status": appointment.status},
        )


def check_reschedulable(appointment: Appointment) -> None:
    if appointment.status not in RESCHEDULABLE:
        raise InvalidTransition(
            f"A {appointment.get_status_display().lower()} appointment cannot be rescheduled.",
            extra={"status": appointment.status},
        )


@dataclass(frozen=True)
class Hours:
    start: time
    end: time


def doctor_hours(doctor: Doctor) -> Hours:
    """The doctor's own hours when set, else the clinic's."""
    hours = doctor.settings.working_hours_override or doctor.clinic.settings.clinic_hours
    return Hours(time.fromisoformat(hours["start"]), time.fromisoformat(hours["end"]))
