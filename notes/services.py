"""Writes of doctor notes and follow-ups."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.clock import clinic_today
from accounts.models import Doctor, User
from clinicflow.db import save_changes
from clinicflow.exceptions import Conflict
from notes.models import DoctorNote, FollowUp
from patients.models import DoctorPatientRelationship, Patient
from scheduling.models import Appointment, AppointmentStatus

Status = FollowUp.Status

# The follow-up's own little status machine.
FOLLOW_UP_TRANSITIONS = {
    Status.PENDING: {Status.SCHEDULED, Status.CANCELLED},
    Status.SCHEDULED: {Status.PENDING, Status.COMPLETED, Status.CANCELLED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}


def _check_patient_and_visit(
    *, doctor: Doctor, patient: Patient, appointment: Appointment | None
) -> None:
    """A doctor writes only about their own patients, and links only their own visits."""
    sees_patient = (
        patient.clinic_id == doctor.clinic_id
        and DoctorPatientRelationship.objects.filter(doctor=doctor, patient=patient).exists()
    )
    if not sees_patient:
        raise ValidationError({"patient_id": "Unknown patient."})
    if appointment is not None and (
        appointment.doctor_id != doctor.pk or appointment.patient_id != patient.pk
    ):
        raise ValidationError({"appointment_id": "Not one of your visits with this patient."})


# Notes --------------------------------------------------------------------------------


def note_create(
    *, doctor: Doctor, patient: Patient, content: str, appointment: Appointment | None = None
) -> DoctorNote:
    _check_patient_and_visit(doctor=doctor, patient=patient, appointment=appointment)
    return DoctorNote.objects.create(
        clinic_id=doctor.clinic_id,
        doctor=doctor,
        patient=patient,
        appointment=appointment,
        content=content,
    )


def note_update(*, note: DoctorNote, data: dict) -> DoctorNote:
    if "appointment" in data:
        _check_patient_and_visit(
            doctor=note.doctor, patient=note.patient, appointment=data["appointment"]
        )
    save_changes(note, data)
    return note


def note_delete(*, note: DoctorNote) -> None:
    note.delete()


# Follow-ups --------------------------------------------------------------------------


def _check_due_date(doctor: Doctor, scheduled_date) -> None:
    if scheduled_date < clinic_today(doctor.clinic):
        raise ValidationError({"scheduled_date": "Must be today or later."})


def _move(follow_up: FollowUp, target: str) -> None:
    if target != follow_up.status and target not in FOLLOW_UP_TRANSITIONS[follow_up.status]:
        raise Conflict(
            f"A {follow_up.status} follow-up cannot become {target}.", code="invalid_transition"
        )
    follow_up.status = target


def follow_up_create(
    *,
    by: User,
    doctor: Doctor,
    patient: Patient,
    scheduled_date,
    note: str = "",
    appointment: Appointment | None = None,
) -> FollowUp:
    _check_patient_and_visit(doctor=doctor, patient=patient, appointment=appointment)
    _check_due_date(doctor, scheduled_date)
    return FollowUp.objects.create(
        clinic_id=doctor.clinic_id,
        doctor=doctor,
        patient=patient,
        appointment=appointment,
        scheduled_date=scheduled_date,
        note=note,
        created_by=by,
    )


@transaction.atomic
def follow_up_update(*, follow_up: FollowUp, by: User, data: dict) -> FollowUp:
    """A doctor edits their own follow-up (date, note, status); an admin may only
    mark it scheduled (optionally naming the appointment that fulfils it)."""
    follow_up = (
        FollowUp.objects.select_for_update().select_related("doctor__clinic").get(pk=follow_up.pk)
    )
    if by.is_admin:
        allowed = {"status", "follow_up_appointment"}
        if set(data) - allowed or data.get("status") != Status.SCHEDULED:
            raise ValidationError({"status": "Admins can only mark a follow-up scheduled."})
    if follow_up.status in (Status.COMPLETED, Status.CANCELLED) and set(data) - {"status"}:
        raise Conflict(f"The follow-up is {follow_up.status}.", code="follow_up_closed")
    if "scheduled_date" in data:
        _check_due_date(follow_up.doctor, data["scheduled_date"])
        follow_up.scheduled_date = data["scheduled_date"]
    if "note" in data:
        follow_up.note = data["note"]
    appointment = data.get("follow_up_appointment")
    if appointment is not None:
        if appointment.patient_id != follow_up.patient_id:
            raise ValidationError(
                {"follow_up_appointment_id": "Not an appointment of this patient."}
            )
        follow_up.follow_up_appointment = appointment
    if "status" in data:
        _move(follow_up, data["status"])
        if follow_up.status == Status.PENDING:
            # Back in the front desk's queue, which lists follow-ups with no visit booked.
            follow_up.follow_up_appointment = None
    follow_up.save()
    return follow_up


def follow_up_cancel(*, follow_up: FollowUp) -> FollowUp:
    """Cancels and keeps the row (the history shows what was asked for)."""
    _move(follow_up, Status.CANCELLED)
    follow_up.save(update_fields=["status", "updated_at"])
    return follow_up


def follow_up_book(*, follow_up: FollowUp, appointment: Appointment) -> None:
    """Booking an appointment for a follow-up schedules it (same transaction)."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if (
        follow_up.clinic_id != appointment.clinic_id
        or follow_up.patient_id != appointment.patient_id
    ):
        raise ValidationError({"follow_up_id": "Not a follow-up of this patient."})
    if follow_up.status != Status.PENDING:
        raise Conflict(
            f"The follow-up is already {follow_up.status}.", code="follow_up_not_pending"
        )
    follow_up.status = Status.SCHEDULED
    follow_up.follow_up_appointment = appointment
    follow_up.save(update_fields=["status", "follow_up_appointment", "updated_at"])


def follow_ups_after_visit(*, appointment: Appointment) -> None:
    """Keeps follow-ups in step with the appointment that fulfils them: completed
    when it is, back to pending (unlinked) when it is cancelled or missed."""
    linked = FollowUp.objects.filter(follow_up_appointment=appointment, status=Status.SCHEDULED)
    if appointment.status == AppointmentStatus.COMPLETED:
        linked.update(status=Status.COMPLETED)
    elif not appointment.is_live:
        linked.update(status=Status.PENDING, follow_up_appointment=None)
