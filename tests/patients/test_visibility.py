"""``visible_to(user)`` on patients and AI interactions: the clinic's for admins, a
doctor's own for doctors, none for owners."""

import pytest

from accounts.models import Role
from patients.models import AIInteraction, Patient
from tests.factories import (
    AIInteractionFactory,
    AppointmentFactory,
    DoctorPatientRelationshipFactory,
    PatientFactory,
    UserFactory,
)
from tests.visibility import BY_DOCTOR, PERSONAS, doctors, seen


@pytest.fixture
def by_name(doctor, other_doctor, other_clinic):
    return doctors(doctor, other_doctor, other_clinic)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_doctor_sees_the_patients_they_have_a_relationship_with(
    request, clinic, by_name, persona
):
    patients = {
        name: DoctorPatientRelationshipFactory(doctor=profile).patient
        for name, profile in by_name.items()
    }
    patients["nobodys"] = PatientFactory(clinic=clinic)
    user = request.getfixturevalue(persona)

    assert seen(patients, Patient.objects.visible_to(user)) == BY_DOCTOR[persona]


def test_a_doctor_account_without_a_profile_sees_no_patient(clinic):
    PatientFactory(clinic=clinic)

    assert not Patient.objects.visible_to(UserFactory(clinic=clinic, role=Role.DOCTOR)).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_doctor_sees_the_ai_interactions_about_their_own_appointments(
    request, clinic, by_name, persona
):
    interactions = {
        name: AIInteractionFactory(appointment=visit, patient=visit.patient)
        for name, visit in (
            (name, AppointmentFactory(doctor=profile)) for name, profile in by_name.items()
        )
    }
    interactions["nobodys"] = AIInteractionFactory(patient=PatientFactory(clinic=clinic))
    user = request.getfixturevalue(persona)

    assert seen(interactions, AIInteraction.objects.visible_to(user)) == BY_DOCTOR[persona]
