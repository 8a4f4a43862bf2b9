"""Reads of patients, scoped to the person asking."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.clock import clinic_now
from accounts.models import User
from patients.models import AIInteraction, Patient


def patient_list(
    *, user: User, search: str = "", doctor_id=None, needs_attention: bool | None = None
) -> QuerySet[Patient]:
    """Admins see every patient of their clinic; a doctor sees the patients they have
    a relationship with (booked, seen, or primary doctor of); owners see none.

    ``search`` matches every word against first name, last name, email or phone;
    ``doctor_id`` (admins) keeps the patients of that primary doctor;
    ``needs_attention`` keeps those with an appointment in the Needs Attention
    Queue's default window, as the user may see it (a doctor: their own visits):
    ``Appointment.objects.needing_attention``, the queue's own definition.
    """
    patients = Patient.objects.visible_to(user).select_related("primary_doctor")
    if doctor_id and user.is_admin:
        patients = patients.filter(primary_doctor_id=doctor_id)
    if needs_attention is not None:
        # scheduling's Appointment through the reverse relation: patients sits below
        # scheduling and does not import it (STYLE.md, "Between apps").
        appointments = Patient._meta.get_field("appointments").related_model.objects
        attention = appointments.visible_to(user).needing_attention(now=clinic_now(user.clinic))
        flagged = Exists(attention.filter(patient=OuterRef("pk")))
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
    return (
        AIInteraction.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("appointment")
        .order_by("-started_at")
    )
