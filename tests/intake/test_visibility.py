"""``visible_to(user)`` on intake forms and submissions: forms are the admins';
submissions the clinic's for admins and a doctor's own for doctors."""

import pytest

from intake.models import IntakeFormTemplate, IntakeSubmission
from tests.factories import AppointmentFactory, IntakeFormTemplateFactory, IntakeSubmissionFactory
from tests.visibility import BY_DOCTOR, PERSONAS, doctors, seen


@pytest.fixture
def by_name(doctor, other_doctor, other_clinic):
    return doctors(doctor, other_doctor, other_clinic)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_see_their_clinics_intake_forms(request, clinic, other_clinic, persona):
    forms = {
        "ours": IntakeFormTemplateFactory(clinic=clinic),
        "uptown": IntakeFormTemplateFactory(clinic=other_clinic),
    }
    user = request.getfixturevalue(persona)

    expected = {"admin": {"ours"}, "outsider_admin": {"uptown"}}.get(persona, set())
    assert seen(forms, IntakeFormTemplate.objects.visible_to(user)) == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_doctor_sees_the_submissions_for_their_own_appointments(request, by_name, persona):
    submissions = {
        name: IntakeSubmissionFactory(appointment=AppointmentFactory(doctor=profile))
        for name, profile in by_name.items()
    }
    user = request.getfixturevalue(persona)

    expected = BY_DOCTOR[persona] - {"nobodys"}
    assert seen(submissions, IntakeSubmission.objects.visible_to(user)) == expected
