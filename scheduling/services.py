"""Writes of the scheduling engine: book, reschedule, change status, cancel.

Every write runs in one transaction. Two bookings for one doctor never overlap:
the doctor's row is locked while the overlap is checked and the row written, and
on PostgreSQL an exclusion constraint backs that up in the database itself.

Each command ends by sending its signal (``scheduling/signals.py``) once, inside
its transaction: the apps above react there (the intake form is sent, a follow-up
is booked, the live dashboards hear of it) without scheduling calling them.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.clock import (
    aware_to_wall,
    clinic_now,
    clinic_today,
    clinic_zone,
    wall_to_aware,
    weekday_name,
)
from accounts.models import ClinicSettings, Doctor, User
from clinicflow.db import save_changes
from clinicflow.exceptions import Conflict
from patients.models import Patient
from patients.services import doctor_patient_link
from scheduling import signals
from scheduling.errors import BookingRefused, SlotConflict
from scheduling.models import (
    MISSING_INTAKE_STATUSES,
    Appointment,
    AppointmentStatus,
    Cancellation,
)
from scheduling.rules import check_reschedulable, check_transition, doctor_hours

S = AppointmentStatus
Reason = Cancellation.Type

# Reasons that are the patient's or the clinic's late decision, held to the notice rule.
NOTICE_REASONS = frozenset({Reason.PATIENT_CANCELLED, Reason.RESCHEDULED_EXTERNALLY, Reason.OTHER})
AUTOMATIC_CANCELLER = "ClinicFlow (automatic)"


# Time and place checks ----------------------------------------------------------------


def _visit_span(*, doctor: Doctor, day: date, start: time, duration: int):
    """Aware start/end and wall-clock end of a visit, or a refusal if the wall time
    does not exist that day (spring-forward)."""
    zone = clinic_zone(doctor.clinic)
    starts_at = wall_to_aware(zone, day, start)
    if starts_at is None:
        raise BookingRefused(
            "That time does not exist on this day (the clocks change).", code="outside_hours"
        )
    ends_at = starts_at + timedelta(minutes=duration)
    end_day, end_time = aware_to_wall(zone, ends_at)
    return starts_at, ends_at, end_day, end_time


def _check_bookable(
    *,
    doctor: Doctor,
    visit_type: str,
    day: date,
    start: time,
    end_day: date,
    end_time: time,
    starts_at: datetime,
    walk_in: bool = False,
) -> None:
    if not doctor.is_active:
        raise BookingRefused(f"{doctor.name} is not taking appointments.", code="doctor_inactive")
    if visit_type not in doctor.settings.supported_visit_types:
        raise BookingRefused(
            f"{doctor.name} does not offer {visit_type.replace('_', ' ')} visits.",
            code="visit_type_not_offered",
        )
    if not doctor.clinic.settings.working_days.get(weekday_name(day), False):
        raise BookingRefused(
            f"The clinic is closed on {weekday_name(day).title()}s.", code="closed_day"
        )
    hours = doctor_hours(doctor)
    if end_day != day or start < hours.start or end_time > hours.end:
        raise BookingRefused(
            f"{doctor.name} works {hours.start:%H:%M}-{hours.end:%H:%M}; "
            "the visit must fit inside.",
            code="outside_hours",
            extra={"working_hours": {"start": f"{hours.start:%H:%M}", "end": f"{hours.end:%H:%M}"}},
        )
    if not walk_in and starts_at <= timezone.now():
        raise BookingRefused("That time has already passed.", code="in_past")


def _claim_time(
    *,
    doctor: Doctor,
    starts_at: datetime,
    ends_at: datetime,
    force: bool,
    exclude: Appointment | None = None,
) -> bool:
    """Locks the doctor's schedule and checks the time is free.

    Returns whether the new visit overlaps another (allowed by the clinic, or
    forced by an admin where the clinic and doctor allow it); raises SlotConflict
    otherwise. Back-to-back visits (one ends 09:30, the next starts 09:30) do not
    overlap. The lock holds until the transaction ends, so concurrent bookings of
    one doctor are checked one after another, on every web process.
    """
    list(Doctor.objects.select_for_update().filter(pk=doctor.pk).values_list("pk"))
    clashes = Appointment.objects.live().filter(
        doctor=doctor, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude.pk)
    clash = clashes.order_by("starts_at").values("id", "start_time", "end_time").first()
    if clash is None:
        return False
    rules = doctor.clinic.settings
    if rules.allow_overlapping:
        return True
    conflict = {
        "conflicting_appointment_id": str(clash["id"]),
        "conflicting_time": f"{clash['start_time']:%H:%M}-{clash['end_time']:%H:%M}",
    }
    if force and not rules.allow_admin_override:
        raise SlotConflict(
            "The doctor is booked then, and this clinic does not allow overriding.", extra=conflict
        )
    if force and not doctor.settings.allow_forced_booking:
        raise SlotConflict(f"{doctor.name} does not accept double bookings.", extra=conflict)
    if force:
        return True
    raise SlotConflict(extra=conflict)


def _save(appointment: Appointment, **kwargs) -> None:
    """Saves, turning the database's overlap guard into the API's 409."""
    try:
        with transaction.atomic():
            appointment.save(**kwargs)
    except IntegrityError as exc:
        if "scheduling_appointment_no_overlap" in str(exc):
            raise SlotConflict() from exc
        raise


def _locked(appointment: Appointment) -> Appointment:
    """The appointment re-read under a row lock, so concurrent changes queue up."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("clinic__settings", "doctor__settings", "patient")
        .get(pk=appointment.pk)
    )


# Booking and rescheduling -------------------------------------------------------------


def _default_intake_path(rules: ClinicSettings, intake_path: str | None) -> str:
    if intake_path:
        return intake_path
    if rules.intake_delivery_path == ClinicSettings.IntakeDeliveryPath.ASK_EVERY_TIME:
        raise ValidationError(
            {"intake_path": "This clinic asks for the intake path on every booking."}
        )
    if rules.intake_delivery_path == ClinicSettings.IntakeDeliveryPath.AUTOMATIC:
        return Appointment.IntakePath.SEND_NOW
    return Appointment.IntakePath.SEND_LATER


@transaction.atomic
def appointment_book(
    *,
    by: User,
    doctor: Doctor,
    patient: Patient,
    visit_type: str,
    scheduled_date: date | None = None,
    start_time: time | None = None,
    walk_in: bool = False,
    duration: int | None = None,
    visit_category: str | None = None,
    visit_reason: str = "",
    intake_path: str | None = None,
    force: bool = False,
    follow_up_id=None,
) -> Appointment:
    """Books ``patient`` with ``doctor``; the doctor-patient link is made or widened,
    and the receivers of ``appointment_booked`` act in the same transaction (the
    follow-up it fulfils is scheduled, or refused; the intake form is sent).

    A walk-in starts now (clinic time, to the minute) and is checked in at once."""
    if doctor.clinic_id != by.clinic_id or patient.clinic_id != by.clinic_id:
        raise BookingRefused("Doctor and patient must belong to your clinic.", code="wrong_clinic")
    rules = doctor.clinic.settings
    if walk_in:
        if not (rules.allow_walk_ins and doctor.settings.allow_walk_ins):
            raise BookingRefused(
                "This clinic or doctor does not take walk-ins.", code="walk_ins_disabled"
            )
        now = clinic_now(doctor.clinic)
        scheduled_date, start_time = now.date(), now.time().replace(second=0, microsecond=0)
    duration = duration or doctor.default_visit_length
    starts_at, ends_at, end_day, end_time = _visit_span(
        doctor=doctor, day=scheduled_date, start=start_time, duration=duration
    )
    _check_bookable(
        doctor=doctor,
        visit_type=visit_type,
        day=scheduled_date,
        start=start_time,
        end_day=end_day,
        end_time=end_time,
        starts_at=starts_at,
        walk_in=walk_in,
    )
    intake_path = _default_intake_path(rules, intake_path)
    overlap = _claim_time(doctor=doctor, starts_at=starts_at, ends_at=ends_at, force=force)
    if visit_category is None:
        seen_before = patient.appointments.live().exists()
        visit_category = (
            Appointment.VisitCategory.FOLLOW_UP
            if seen_before
            else Appointment.VisitCategory.NEW_PATIENT
        )
    appointment = Appointment(
        clinic_id=by.clinic_id,
        doctor=doctor,
        patient=patient,
        scheduled_date=scheduled_date,
        start_time=start_time,
        end_time=end_time,
        duration=duration,
        starts_at=starts_at,
        ends_at=ends_at,
        visit_type=visit_type,
        visit_category=visit_category,
        visit_reason=visit_reason,
        intake_path=intake_path,
        overlap_allowed=overlap,
        created_by=by,
    )
    if walk_in:
        appointment.status = S.ARRIVED
        appointment.arrived = True
        appointment.arrived_at = timezone.now()
    _save(appointment, force_insert=True)
    doctor_patient_link(doctor=doctor, patient=patient, visit_at=starts_at)
    signals.appointment_booked.send(
        sender=Appointment,
        appointment=appointment,
        by=by,
        intake_path=intake_path,
        follow_up_id=follow_up_id,
    )
    appointment.refresh_from_db(fields=["intake_status", "intake_form"])  # intake's to write
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    new_date: date,
    new_time: time,
    new_doctor: Doctor | None = None,
    duration: int | None = None,
    force: bool = False,
) -> Appointment:
    """Moves a visit that has not begun to another time and/or doctor of the clinic."""
    appointment = _locked(appointment)
    check_reschedulable(appointment)
    doctor = new_doctor or appointment.doctor
    if doctor.clinic_id != appointment.clinic_id or by.clinic_id != appointment.clinic_id:
        raise BookingRefused("The doctor must belong to your clinic.", code="wrong_clinic")
    duration = duration or appointment.duration
    starts_at, ends_at, end_day, end_time = _visit_span(
        doctor=doctor, day=new_date, start=new_time, duration=duration
    )
    _check_bookable(
        doctor=doctor,
        visit_type=appointment.visit_type,
        day=new_date,
        start=new_time,
        end_day=end_day,
        end_time=end_time,
        starts_at=starts_at,
    )
    overlap = _claim_time(
        doctor=doctor, starts_at=starts_at, ends_at=ends_at, force=force, exclude=appointment
    )
    previous_doctor_id, previous_date = appointment.doctor_id, appointment.scheduled_date
    appointment.doctor = doctor
    appointment.scheduled_date = new_date
    appointment.start_time = new_time
    appointment.end_time = end_time
    appointment.duration = duration
    appointment.starts_at = starts_at
    appointment.ends_at = ends_at
    appointment.overlap_allowed = overlap
    _save(appointment)
    doctor_patient_link(doctor=doctor, patient=appointment.patient, visit_at=starts_at)
    signals.appointment_rescheduled.send(
        sender=Appointment,
        appointment=appointment,
        by=by,
        previous_doctor_id=previous_doctor_id,
        previous_date=previous_date,
    )
    return appointment


# Status changes ----------------------------------------------------------------------


def _move_status(appointment: Appointment, status: str) -> None:
    """Moves a locked appointment along the status machine (confirm, arrive, start,
    complete). Cancelled and no-show go through ``appointment_cancel``, which records
    why."""
    if status in (S.CANCELLED, S.NO_SHOW):
        raise ValidationError({"status": "Use the cancel action, which records the reason."})
    check_transition(appointment, status)
    if status == S.ARRIVED:
        if appointment.scheduled_date != clinic_today(appointment.clinic):
            raise BookingRefused(
                "A patient can only arrive on the day of the visit.", code="not_today"
            )
        rules = appointment.clinic.settings
        intake_missing = appointment.intake_status in MISSING_INTAKE_STATUSES
        if rules.intake_required and rules.lock_appointment_if_missing and intake_missing:
            raise Conflict(
                "This clinic checks patients in only once their intake is complete.",
                code="intake_missing",
            )
        appointment.arrived = True
        appointment.arrived_at = timezone.now()
    appointment.status = status
    appointment.save(update_fields=["status", "arrived", "arrived_at", "updated_at"])


def _edit_details(appointment: Appointment, data: dict) -> None:
    """Edits a locked appointment's details (reason, type, category, link, intake path,
    the staff's attention flag: clearing it clears its reason)."""
    if data.get("needs_attention") is False and "attention_reason" not in data:
        data = {**data, "attention_reason": ""}
    if (
        "visit_type" in data
        and data["visit_type"] not in appointment.doctor.settings.supported_visit_types
    ):
        raise BookingRefused(
            f"{appointment.doctor.name} does not offer that visit type.",
            code="visit_type_not_offered",
        )
    save_changes(appointment, data)


@transaction.atomic
def appointment_set_status(*, appointment: Appointment, by: User, status: str) -> Appointment:
    """Moves along the status machine (confirm, arrive, start, complete)."""
    return appointment_edit(appointment=appointment, by=by, data={"status": status})


@transaction.atomic
def appointment_edit(*, appointment: Appointment, by: User, data: dict) -> Appointment:
    """Edits a visit's details and/or moves its status, in one transaction: a refused
    status change leaves the details as they were."""
    appointment = _locked(appointment)
    if by is not None and by.clinic_id != appointment.clinic_id:
        raise BookingRefused("Not an appointment of your clinic.", code="wrong_clinic")
    details = {key: value for key, value in data.items() if key != "status"}
    previous_status = appointment.status
    if details:
        _edit_details(appointment, details)
    if "status" in data:
        _move_status(appointment, data["status"])
        signals.appointment_status_changed.send(
            sender=Appointment,
            appointment=appointment,
            by=by,
            previous_status=previous_status,
            details=sorted(details),
        )
    elif details:
        signals.appointment_details_changed.send(
            sender=Appointment, appointment=appointment, by=by, fields=sorted(details)
        )
    return appointment


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    by: User | None,
    reason: str | None = None,
    note: str = "",
    force: bool = False,
) -> Appointment:
    """Cancels (or records a no-show) and writes the cancellation history row.

    The clinic's rules apply: a reason (and for ``other`` a note) when it requires
    them, and ``minimum_cancellation_notice`` for late cancellations, which an
    admin may override with ``force`` where the clinic allows overrides.
    """
    appointment = _locked(appointment)
    rules = appointment.clinic.settings
    note = (note or "").strip()
    if not reason:
        if rules.cancellation_reason_required:
            raise ValidationError({"reason": "This clinic requires a cancellation reason."})
        reason = Reason.OTHER
    if reason == Reason.OTHER and rules.cancellation_reason_required and not note:
        raise ValidationError({"note": "Say why when the reason is 'other'."})
    target = S.NO_SHOW if reason == Reason.NO_SHOW else S.CANCELLED
    check_transition(appointment, target)

    now = timezone.now()
    if reason == Reason.NO_SHOW and appointment.starts_at > now:
        raise BookingRefused(
            "A no-show can only be recorded once the visit has started.",
            code="too_early_for_no_show",
        )
    notice = timedelta(minutes=rules.minimum_cancellation_notice)
    overridden = force and rules.allow_admin_override
    if reason in NOTICE_REASONS and appointment.starts_at - now < notice and not overridden:
        raise BookingRefused(
            f"Less than {rules.minimum_cancellation_notice} minutes' notice. "
            "Send force: true to cancel anyway.",
            code="short_notice",
        )

    appointment.status = target
    appointment.save(update_fields=["status", "updated_at"])
    Cancellation.objects.create(
        appointment=appointment,
        clinic_id=appointment.clinic_id,
        patient_id=appointment.patient_id,
        doctor_id=appointment.doctor_id,
        cancellation_type=reason,
        reason_note=note,
        cancelled_by=by,
        cancelled_by_name=by.get_full_name() if by else AUTOMATIC_CANCELLER,
        original_date=appointment.scheduled_date,
        original_time=appointment.start_time,
    )
    signals.appointment_cancelled.send(
        sender=Appointment, appointment=appointment, by=by, reason=reason, note=note
    )
    return appointment


def appointments_mark_no_shows(*, now: datetime | None = None) -> int:
    """Marks visits not arrived ``auto_no_show_threshold`` minutes after their start as
    no-shows, each with its cancellation row. Running it again changes nothing."""
    now = now or timezone.now()
    marked = 0
    for rules in ClinicSettings.objects.only("clinic_id", "auto_no_show_threshold"):
        cutoff = now - timedelta(minutes=rules.auto_no_show_threshold)
        overdue = (
            Appointment.objects.open()
            .filter(
                clinic_id=rules.clinic_id,
                starts_at__lte=cutoff,
            )
            .values_list("pk", flat=True)
        )
        for pk in list(overdue):
            with transaction.atomic():
                appointment = Appointment.objects.select_for_update().open().filter(pk=pk).first()
                if appointment is None:
                    continue  # arrived or cancelled meanwhile
                appointment_cancel(appointment=appointment, by=None, reason=Reason.NO_SHOW)
                marked += 1
    return marked
