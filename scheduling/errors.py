"""Refusals of the scheduling engine, each with the code the frontend shows."""

from clinicflow.exceptions import Conflict, DomainError


class BookingRefused(DomainError):
    """400: the time, doctor or visit type cannot be booked (``outside_hours``,
    ``closed_day``, ``in_past``, ``visit_type_not_offered``, ``doctor_inactive``, ...)."""

    code = "booking_refused"


class SlotConflict(Conflict):
    code = "slot_conflict"
    default_detail = "The doctor already has an appointment at that time."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_detail = "The appointment cannot change to that status."
