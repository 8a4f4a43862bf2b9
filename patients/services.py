"""Writes for patients and their doctors."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Clinic, Doctor
from clinicflow.db import save_changes
from patients.models import DoctorPatientRelationship, Patient


def doctor_patient_link(*, doctor: Doctor, patient: Patient, visit_at=None) -> None:
    """Records that ``doctor`` sees ``patient``; with ``visit_at``, widens the
    first/last visit span to include it."""
    link, created = DoctorPatientRelationship.objects.select_for_update().get_or_create(
        doctor=doctor,
        patient=patient,
        defaults={"first_visit_date": visit_at, "last_visit_date": visit_at},
    )
    if created or visit_at is None:
        return
    changed = []
    if link.first_visit_date is None or visit_at < link.first_visit_date:
        link.first_visit_date = visit_at
        changed.append("first_visit_date")
    if link.last_visit_date is None or visit_at > link.last_visit_date:
        link.last_visit_date = visit_at
        changed.append("last_visit_date")
    if changed:
        link.save(update_fields=changed)


def _check_primary_doctor(clinic_id, doctor: Doctor | None) -> None:
    if doctor is not None and doctor.clinic_id != clinic_id:
        raise ValidationError({"primary_doctor_id": "Unknown doctor."})


@transaction.atomic
def patient_create(*, clinic: Clinic, data: dict) -> Patient:
    _check_primary_doctor(clinic.id, data.get("primary_doctor"))
    patient = Patient.objects.create(clinic=clinic, **data)
    if patient.primary_doctor is not None:
        doctor_patient_link(doctor=patient.primary_doctor, patient=patient)
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, data: dict) -> Patient:
    _check_primary_doctor(patient.clinic_id, data.get("primary_doctor"))
    save_changes(patient, data)
    if "primary_doctor" in data and patient.primary_doctor is not None:
        doctor_patient_link(doctor=patient.primary_doctor, patient=patient)
    return patient
