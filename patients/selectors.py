"""Reads of patients, scoped to the person asking."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from patients.models import AIInteraction, DoctorPatientRelationship, Patient


def patient_list(
    *, user: User, search: str = "", doctor_id=None, needs_attention: bool | None = None
) -> QuerySet[Patient]:
    """Admins see every patient of their clinic; a doctor sees the patients they have
    a relationship with (booked, seen, or primary doctor of); owners see none.

    ``search`` matches every word against first name, last name, email or phone;
    ``doctor_id`` (admins) keeps the patients of that primary doctor;
    ``needs_attention`` keeps those with an upcoming appointment that is unconfirmed
    or still lacks the intake the clinic requires.
    """
    patients = Patient.objects.filter(clinic_id=user.clinic_id).select_related("primary_doctor")
    if user.is_doctor:
        doctor = getattr(user, "doctor", None)
        if doctor is None:
            return patients.none()
        patients = patients.filter(
            Exists(DoctorPatientRelationship.objects.filter(doctor=doctor, patient=OuterRef("pk")))
        )
    elif not user.is_admin:
        return patients.none()
    elif doctor_id:
        patients = patients.filter(primary_doctor_id=doctor_id)
    if needs_attention is not None:
        # patients sits below scheduling and imports none of it: the appointments come
        # through Patient's reverse relation, and what "needs attention" means stays
        # scheduling's, on its QuerySet (Appointment.objects.needing_attention).
        appointments = Patient._meta.get_field("appointments").related_model.objects
        flagged = Exists(appointments.needing_attention(user=user).filter(patient=OuterRef("pk")))
        patients = patients.filter(flagged if needs_attention else ~flagged)
    for word in search.split()[:5]:
        patients = patients.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
        )
    return patients


def ai_interaction_list(*, user: User, patient: Patient) -> QuerySet[AIInteraction]:
    """The AI's calls and messages with a patient, newest first: all of them for
    admins; for a doctor only those about their own appointments."""
    interactions = AIInteraction.objects.filter(
        clinic_id=user.clinic_id, patient=patient
    ).select_related("appointment")
    if user.is_doctor:
        interactions = interactions.filter(appointment__doctor__user=user)
    elif not user.is_admin:
        return interactions.none()
    return interactions.order_by("-started_at")
