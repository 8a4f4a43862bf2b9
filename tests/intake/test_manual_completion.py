"""Marking intake completed by hand (paper form, phone): admins only, where the
clinic allows it."""

import pytest

from scheduling.models import Appointment
from tests.intake.helpers import appointment_url, assert_error

pytestmark = pytest.mark.django_db


def complete(client, appointment):
    return client.post(appointment_url(appointment, "intake-complete"))


def test_admin_marks_intake_completed(api, admin, appointment):
    response = complete(api(admin), appointment)

    assert response.status_code == 200, response.content
    assert response.json()["intake_status"] == "completed"
    appointment.refresh_from_db()
    assert appointment.intake_status == "completed"


def test_admin_completes_a_sent_intake(api, admin, appointment, link):
    response = complete(api(admin), appointment)

    assert response.status_code == 200, response.content
    assert response.json()["intake_status"] == "completed"


def test_clinic_that_disallows_manual_completion_refuses(api, admin, appointment, clinic):
    clinic.settings.allow_manual_completion = False
    clinic.settings.save()

    response = complete(api(admin), appointment)

    assert_error(response, 400, "manual_completion_disabled")
    appointment.refresh_from_db()
    assert appointment.intake_status == "not_sent"


def test_completing_twice_gets_409(api, admin, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(intake_status="completed")

    assert_error(complete(api(admin), appointment), 409, "intake_already_completed")


@pytest.mark.parametrize("role", ["doctor", "owner"])
def test_doctor_and_owner_may_not_complete_intake(request, api, appointment, role):
    response = complete(api(request.getfixturevalue(role)), appointment)

    assert_error(response, 403)
    appointment.refresh_from_db()
    assert appointment.intake_status == "not_sent"


def test_outsider_gets_404(api, outsider_admin, appointment):
    assert_error(complete(api(outsider_admin), appointment), 404)
    appointment.refresh_from_db()
    assert appointment.intake_status == "not_sent"


def test_anonymous_gets_401(anon, appointment):
    assert_error(complete(anon, appointment), 401)
