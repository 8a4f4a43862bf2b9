"""``Doctor.objects.visible_to(user)``: admins see the clinic's doctors, a doctor
their own profile, owners none."""

import pytest

from accounts.models import Doctor
from tests.visibility import BY_DOCTOR, PERSONAS, doctors, seen


@pytest.mark.parametrize("persona", PERSONAS)
def test_doctors_visible_to_each_role(request, doctor, other_doctor, other_clinic, persona):
    profiles = doctors(doctor, other_doctor, other_clinic)
    user = request.getfixturevalue(persona)

    expected = BY_DOCTOR[persona] - {"nobodys"}
    assert seen(profiles, Doctor.objects.visible_to(user)) == expected
