"""Reads of appointments, schedules and free slots, scoped to the person asking."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.clock import clinic_zone, day_bounds, wall_to_aware, weekday_name
from accounts.models import Doctor, User
from patients.models import Patient
from scheduling.models import Appointment, Cancellation
from scheduling.rules import doctor_hours


def appointment_list(
    *,
    user: User,
    day: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    doctor_id=None,
    patient_id=None,
    statuses: list[str] | None = None,
    intake_statuses: list[str] | None = None,
) -> QuerySet[Appointment]:
    """Admins see every appointment of their clinic; a doctor sees only their own
    (any ``doctor_id`` they pass is ignored); owners see none."""
    appointments = Appointment.objects.visible_to(user).select_related("patient", "doctor")
    if doctor_id and user.is_admin:
        appointments = appointments.filter(doctor_id=doctor_id)
    if day:
        appointments = appointments.filter(scheduled_date=day)
    if date_from:
        appointments = appointments.filter(scheduled_date__gte=date_from)
    if date_to:
        appointments = appointments.filter(scheduled_date__lte=date_to)
    if patient_id:
        appointments = appointments.filter(patient_id=patient_id)
    if statuses:
        appointments = appointments.filter(status__in=statuses)
    if intake_statuses:
        appointments = appointments.filter(intake_status__in=intake_statuses)
    return appointments.order_by("scheduled_date", "start_time", "id")


def _day_appointments(day: date) -> QuerySet[Appointment]:
    return (
        Appointment.objects.live()
        .filter(scheduled_date=day)
        .select_related("patient")
        .order_by("start_time", "id")
    )


GRID_FIELDS = (
    "id",
    "doctor_id",
    "start_time",
    "end_time",
    "duration",
    "patient_id",
    "patient__first_name",
    "patient__last_name",
    "status",
    "intake_status",
    "visit_type",
    "visit_category",
    "visit_reason",
)


def schedule_grid(*, user: User, day: date) -> list[dict]:
    """Every active doctor of the admin's clinic, each with the day's live
    appointments in time order: two queries, whatever the number of either. (A
    doctor would get only their own column, an owner none: the view admits admins.)

    The busiest screen of the front desk, so rows are read as plain values."""
    doctors = list(
        Doctor.objects.visible_to(user)
        .filter(is_active=True)
        .order_by("name")
        .values("id", "name", "initials", "specialty", "color")
    )
    by_doctor = {doctor["id"]: [] for doctor in doctors}
    rows = (
        Appointment.objects.visible_to(user)
        .live()
        .filter(scheduled_date=day, doctor_id__in=list(by_doctor))
        .order_by("start_time", "id")
        .values_list(*GRID_FIELDS)
    )
    for id_, doctor_id, start, end, duration, patient_id, first, last, *rest in rows:
        status, intake_status, visit_type, visit_category, visit_reason = rest
        by_doctor[doctor_id].append(
            {
                "id": id_,
                "time": f"{start:%H:%M}",
                "end_time": f"{end:%H:%M}",
                "duration": duration,
                "patient_id": patient_id,
                "patient_name": f"{first} {last}",
                "status": status,
                "intake_status": intake_status,
                "visit_type": visit_type,
                "visit_category": visit_category,
                "visit_reason": visit_reason,
            }
        )
    return [{**doctor, "appointments": by_doctor[doctor["id"]]} for doctor in doctors]


def schedule_of_doctor(*, user: User, day: date) -> QuerySet[Appointment]:
    """A doctor's own live appointments of the day, in time order (their clinic's,
    as ``visible_to`` scopes them; nothing for another role)."""
    return _day_appointments(day).visible_to(user)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def available_slots(*, doctor: Doctor, day: date) -> tuple[int, list[Slot]]:
    """Free slots of the clinic's slot size within the doctor's hours on ``day``:
    none on closed days or for an inactive doctor, none already begun, none that
    overlap a live appointment. Wall-clock slots that do not exist on a DST change
    day are left out; the rest are exact aware times."""
    rules = doctor.clinic.settings
    size = timedelta(minutes=rules.slot_size)
    if not doctor.is_active or not rules.working_days.get(weekday_name(day), False):
        return rules.slot_size, []
    zone = clinic_zone(doctor.clinic)
    hours = doctor_hours(doctor)
    day_start, day_end = day_bounds(zone, day)
    busy = list(
        Appointment.objects.live()
        .filter(doctor=doctor, starts_at__lt=day_end, ends_at__gt=day_start)
        .values_list("starts_at", "ends_at")
    )
    now = timezone.now()
    slots = []
    cursor = datetime.combine(day, hours.start)
    close = datetime.combine(day, hours.end)
    while cursor + size <= close:
        start = wall_to_aware(zone, day, cursor.time())
        cursor += size
        if start is None:
            continue
        end = start + size
        if start <= now or any(b_start < end and b_end > start for b_start, b_end in busy):
            continue
        slots.append(Slot(start.astimezone(zone), end.astimezone(zone)))
    return rules.slot_size, slots


def appointment_history(*, user: User, patient: Patient) -> QuerySet[Appointment]:
    """A patient's appointments, newest first: all of them for admins; for a doctor,
    only those with that doctor."""
    return (
        Appointment.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("doctor")
        .order_by("-starts_at")
    )


def cancellation_list(*, user: User, patient: Patient | None = None) -> QuerySet[Cancellation]:
    """Cancellations and no-shows of the clinic (or of one patient), newest first:
    all for admins; for a doctor only those of their own appointments."""
    cancellations = Cancellation.objects.visible_to(user).select_related("doctor", "patient")
    if patient is not None:
        cancellations = cancellations.filter(patient=patient)
    return cancellations.order_by("-created_at")


def cancellation_counts(*, user: User, patient: Patient) -> dict[str, int]:
    """How often the patient cancelled and did not show, as the caller may see it."""
    counts = cancellation_list(user=user, patient=patient).aggregate(
        cancellation_count=Count("id", filter=~Q(cancellation_type=Cancellation.Type.NO_SHOW)),
        no_show_count=Count("id", filter=Q(cancellation_type=Cancellation.Type.NO_SHOW)),
    )
    return counts


def previous_visits(*, user: User, appointment: Appointment, limit: int = 10) -> list[Appointment]:
    """The patient's visits before this one, newest first, as the caller may see them
    (a doctor: only their own with this patient)."""
    visits = appointment_history(user=user, patient=appointment.patient)
    return list(
        visits.filter(starts_at__lt=appointment.starts_at).exclude(pk=appointment.pk)[:limit]
    )
