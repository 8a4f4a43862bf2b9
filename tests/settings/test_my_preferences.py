"""``/api/settings/my-preferences``: a doctor reads and changes their own working
hours, visit types, walk-ins and AI calls; those preferences decide their
availability. No other role may use it."""

import pytest

from accounts.models import DoctorSettings
from tests.settings.helpers import (
    MY_PREFERENCES,
    assert_error,
    assert_field_error,
    available,
    book,
    starts,
)

PREFERENCE_KEYS = ("working_hours", "allows_virtual_visits", "allows_walkins", "ai_calls_enabled")


def test_doctor_reads_their_own_preferences(api, doctor, other_doctor):
    response = api(doctor).get(MY_PREFERENCES)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(doctor.doctor.id)
    assert body["user_id"] == str(doctor.id)
    assert {key: body[key] for key in PREFERENCE_KEYS} == {
        "working_hours": None,
        "allows_virtual_visits": True,
        "allows_walkins": True,
        "ai_calls_enabled": True,
    }


@pytest.mark.parametrize("method", ["get", "put"])
@pytest.mark.parametrize("role", ["admin", "owner"])
def test_roles_other_than_doctor_get_403(request, api, doctor, role, method):
    user = request.getfixturevalue(role)

    response = getattr(api(user), method)(MY_PREFERENCES, {"allows_walkins": False})

    assert_error(response, 403, "forbidden_role")
    assert DoctorSettings.objects.get(doctor=doctor.doctor).allow_walk_ins is True


@pytest.mark.parametrize("method", ["get", "put"])
def test_anonymous_gets_401(anon, method):
    assert_error(getattr(anon, method)(MY_PREFERENCES, {"allows_walkins": False}), 401)


def test_put_changes_only_the_preferences_it_sends(api, doctor):
    client = api(doctor)

    response = client.put(MY_PREFERENCES, {"allows_walkins": False}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert {key: body[key] for key in PREFERENCE_KEYS} == {
        "working_hours": None,
        "allows_virtual_visits": True,
        "allows_walkins": False,
        "ai_calls_enabled": True,
    }
    rules = DoctorSettings.objects.get(doctor=doctor.doctor)
    assert (rules.allow_walk_ins, rules.ai_calls_enabled) == (False, True)


def test_every_preference_round_trips(api, doctor):
    client = api(doctor)
    change = {
        "working_hours": {"start": "07:30", "end": "12:00"},
        "allows_virtual_visits": False,
        "allows_walkins": False,
        "ai_calls_enabled": False,
    }

    response = client.put(MY_PREFERENCES, change, format="json")

    assert response.status_code == 200, response.content
    assert {key: response.json()[key] for key in PREFERENCE_KEYS} == change
    fresh = client.get(MY_PREFERENCES).json()
    assert {key: fresh[key] for key in PREFERENCE_KEYS} == change
    assert fresh["supported_visit_types"] == ["in_clinic"]


def test_a_doctor_changes_only_their_own_preferences(api, doctor, other_doctor):
    api(doctor).put(MY_PREFERENCES, {"ai_calls_enabled": False}, format="json")

    assert DoctorSettings.objects.get(doctor=doctor.doctor).ai_calls_enabled is False
    assert DoctorSettings.objects.get(doctor=other_doctor.doctor).ai_calls_enabled is True


def test_working_hours_decide_the_doctors_availability(api, admin, doctor, other_doctor):
    api(doctor).put(
        MY_PREFERENCES, {"working_hours": {"start": "12:00", "end": "14:00"}}, format="json"
    )

    mine = available(api(admin), doctor.doctor)
    theirs = available(api(admin), other_doctor.doctor)

    assert starts(mine) == ["12:00", "12:30", "13:00", "13:30"]
    assert starts(theirs)[0] == "09:00"
    assert starts(theirs)[-1] == "16:30"


def test_clearing_working_hours_returns_to_the_clinics(api, admin, doctor):
    client = api(doctor)
    client.put(MY_PREFERENCES, {"working_hours": {"start": "12:00", "end": "14:00"}}, format="json")

    response = client.put(MY_PREFERENCES, {"working_hours": None}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["working_hours"] is None
    slots = starts(available(api(admin), doctor.doctor))
    assert (slots[0], slots[-1], len(slots)) == ("09:00", "16:30", 16)


def test_a_booking_outside_the_doctors_own_hours_is_refused(api, admin, doctor, patient):
    api(doctor).put(
        MY_PREFERENCES, {"working_hours": {"start": "12:00", "end": "14:00"}}, format="json"
    )

    refused = book(api(admin), doctor.doctor, patient, start_time="10:00")
    accepted = book(api(admin), doctor.doctor, patient, start_time="12:00")

    body = assert_error(refused, 400, "outside_hours")
    assert body["working_hours"] == {"start": "12:00", "end": "14:00"}
    assert accepted.status_code == 201, accepted.content


def test_turning_off_virtual_visits_refuses_virtual_bookings(api, admin, doctor, patient):
    api(doctor).put(MY_PREFERENCES, {"allows_virtual_visits": False}, format="json")

    refused = book(api(admin), doctor.doctor, patient, visit_type="virtual")
    accepted = book(api(admin), doctor.doctor, patient, visit_type="in_clinic")

    assert_error(refused, 400, "visit_type_not_offered")
    assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"working_hours": {"start": "14:00", "end": "12:00"}}, "working_hours"),
        ({"working_hours": {"start": "12:00"}}, "working_hours"),
        ({"working_hours": "mornings"}, "working_hours"),
        ({"allows_walkins": "perhaps"}, "allows_walkins"),
        ({"ai_calls_enabled": "later"}, "ai_calls_enabled"),
        ({"allows_virtual_visits": "no thanks"}, "allows_virtual_visits"),
        ({"supported_visit_types": ["house_call"]}, "supported_visit_types"),
    ],
)
def test_invalid_preferences_are_400_naming_the_field(api, doctor, body, field):
    response = api(doctor).put(MY_PREFERENCES, body, format="json")

    assert_field_error(response, field)
    rules = DoctorSettings.objects.get(doctor=doctor.doctor)
    assert (rules.working_hours_override, rules.allow_walk_ins) == (None, True)


def test_a_doctor_keeps_at_least_one_visit_type(api, doctor):
    client = api(doctor)
    client.put(MY_PREFERENCES, {"supported_visit_types": ["virtual"]}, format="json")

    response = client.put(MY_PREFERENCES, {"allows_virtual_visits": False}, format="json")

    assert_field_error(response, "supported_visit_types")
    assert DoctorSettings.objects.get(doctor=doctor.doctor).supported_visit_types == ["virtual"]
