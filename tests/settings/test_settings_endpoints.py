"""``/api/settings/{clinic,scheduling,intake,notifications}``: admins read and change
their own clinic's settings; every other role is refused; a PUT is partial and is
validated field by field."""

import pytest

from accounts.models import Clinic, ClinicSettings
from tests.settings.helpers import DEFAULTS, SETTINGS, assert_error, assert_field_error

GROUPS = list(SETTINGS)
PROFILE = {"name": "Downtown Family Medicine", "timezone": "America/New_York", "phone": ""}

# One valid change per group, and a key of the same group that it must leave alone.
CHANGES = {
    "clinic": ({"slot_size": 15}, "session_timeout"),
    "scheduling": ({"allow_overlapping": True}, "minimum_cancellation_notice"),
    "intake": ({"intake_delivery_path": "manual"}, "intake_required"),
    "notifications": ({"notify_via_email": True}, "notify_via_app"),
}


def expected(group: str) -> dict:
    return {**PROFILE, **DEFAULTS[group]} if group == "clinic" else DEFAULTS[group]


@pytest.mark.parametrize("group", GROUPS)
def test_admin_reads_the_clinics_settings(api, admin, group):
    response = api(admin).get(SETTINGS[group])

    assert response.status_code == 200, response.content
    assert response.json() == expected(group)


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize("group", GROUPS)
def test_settings_answer_with_and_without_a_trailing_slash(api, admin, group, slash):
    assert api(admin).get(SETTINGS[group] + slash).status_code == 200


@pytest.mark.parametrize("method", ["get", "put"])
@pytest.mark.parametrize("role", ["doctor", "owner"])
@pytest.mark.parametrize("group", GROUPS)
def test_roles_other_than_admin_get_403(request, api, clinic, group, role, method):
    user = request.getfixturevalue(role)
    before = expected(group)
    body = CHANGES[group][0]

    response = getattr(api(user), method)(SETTINGS[group], body, format="json")

    assert_error(response, 403, "forbidden_role")
    assert api(request.getfixturevalue("admin")).get(SETTINGS[group]).json() == before


@pytest.mark.parametrize("method", ["get", "put"])
@pytest.mark.parametrize("group", GROUPS)
def test_anonymous_gets_401(anon, clinic, group, method):
    response = getattr(anon, method)(SETTINGS[group], CHANGES[group][0], format="json")

    assert_error(response, 401)
    assert ClinicSettings.objects.get(clinic=clinic).slot_size == 30


def test_outsider_admin_sees_only_their_own_clinic(api, clinic, outsider_admin, other_clinic):
    rules = other_clinic.settings
    rules.slot_size = 45
    rules.save()

    response = api(outsider_admin).get(SETTINGS["clinic"])

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["timezone"], body["slot_size"]) == (
        "Uptown Pediatrics",
        "America/Chicago",
        45,
    )


@pytest.mark.parametrize("group", GROUPS)
def test_outsider_admin_changes_only_their_own_clinic(
    api, admin, clinic, outsider_admin, other_clinic, group
):
    change, _ = CHANGES[group]

    response = api(outsider_admin).put(SETTINGS[group], change, format="json")

    assert response.status_code == 200, response.content
    assert response.json().items() >= change.items()
    assert api(admin).get(SETTINGS[group]).json() == expected(group)
    assert api(outsider_admin).get(SETTINGS[group]).json().items() >= change.items()


@pytest.mark.parametrize("group", GROUPS)
def test_put_changes_only_the_keys_it_sends(api, admin, clinic, group):
    change, untouched = CHANGES[group]
    client = api(admin)

    response = client.put(SETTINGS[group], change, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {**expected(group), **change}
    assert response.json()[untouched] == expected(group)[untouched]
    assert client.get(SETTINGS[group]).json() == {**expected(group), **change}


def test_put_of_every_clinic_key_at_once_is_stored(api, admin, clinic):
    everything = {
        "name": "Midtown Health",
        "timezone": "Europe/Lisbon",
        "phone": "+351 21 000 0000",
        "working_days": {**DEFAULTS["clinic"]["working_days"], "saturday": True},
        "clinic_hours": {"start": "08:00", "end": "18:30"},
        "slot_size": 45,
        "session_timeout": 60,
        "date_format": "YYYY-MM-DD",
        "time_format": "24h",
        "default_dashboard_view": "schedule",
        "auto_refresh_interval": 0,
    }

    response = api(admin).put(SETTINGS["clinic"], everything, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == everything
    clinic.refresh_from_db()
    assert (clinic.name, clinic.timezone, clinic.phone) == (
        "Midtown Health",
        "Europe/Lisbon",
        "+351 21 000 0000",
    )
    rules = ClinicSettings.objects.get(clinic=clinic)
    assert (rules.slot_size, rules.session_timeout, rules.clinic_hours) == (
        45,
        60,
        {"start": "08:00", "end": "18:30"},
    )


def test_the_clinic_profile_lives_on_the_clinic_row(api, admin, clinic):
    """Name and time zone go to ``clinics``; what /api/auth/me shows follows."""
    client = api(admin)

    client.put(SETTINGS["clinic"], {"name": "Riverside Clinic", "timezone": "America/Denver"})

    assert Clinic.objects.filter(pk=clinic.pk, name="Riverside Clinic").exists()
    me = client.get("/api/auth/me").json()
    assert me["clinic"] == {
        "id": str(clinic.id),
        "name": "Riverside Clinic",
        "timezone": "America/Denver",
    }


HOURS_BACKWARDS = {"clinic_hours": {"start": "17:00", "end": "09:00"}}
HOURS_EMPTY = {"clinic_hours": {"start": "09:00", "end": "09:00"}}


@pytest.mark.parametrize(
    ("group", "body", "field"),
    [
        ("clinic", HOURS_BACKWARDS, "clinic_hours"),
        ("clinic", HOURS_EMPTY, "clinic_hours"),
        ("clinic", {"clinic_hours": {"start": "09:00"}}, "clinic_hours"),
        ("clinic", {"clinic_hours": {"start": "9am", "end": "5pm"}}, "clinic_hours"),
        ("clinic", {"slot_size": 20}, "slot_size"),
        ("clinic", {"slot_size": 60}, "slot_size"),
        ("clinic", {"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ("clinic", {"name": ""}, "name"),
        ("clinic", {"working_days": {"monday": True}}, "working_days"),
        (
            "clinic",
            {"working_days": {**DEFAULTS["clinic"]["working_days"], "funday": True}},
            "working_days",
        ),
        (
            "clinic",
            {"working_days": {**DEFAULTS["clinic"]["working_days"], "monday": "yes"}},
            "working_days",
        ),
        ("clinic", {"session_timeout": 1}, "session_timeout"),
        ("clinic", {"session_timeout": 7 * 24 * 60 + 1}, "session_timeout"),
        ("clinic", {"date_format": "YYYY/DD/MM"}, "date_format"),
        ("clinic", {"time_format": "25h"}, "time_format"),
        ("clinic", {"default_dashboard_view": "reports"}, "default_dashboard_view"),
        ("clinic", {"auto_refresh_interval": -1}, "auto_refresh_interval"),
        ("scheduling", {"auto_no_show_threshold": 0}, "auto_no_show_threshold"),
        ("scheduling", {"minimum_cancellation_notice": -5}, "minimum_cancellation_notice"),
        ("scheduling", {"allow_overlapping": "sometimes"}, "allow_overlapping"),
        ("intake", {"intake_delivery_path": "carrier_pigeon"}, "intake_delivery_path"),
        ("intake", {"intake_required": None}, "intake_required"),
        ("notifications", {"notify_via_app": "loudly"}, "notify_via_app"),
    ],
)
def test_invalid_values_are_400_naming_the_field_and_change_nothing(
    api, admin, clinic, group, body, field
):
    client = api(admin)

    response = client.put(SETTINGS[group], body, format="json")

    assert_field_error(response, field)
    assert client.get(SETTINGS[group]).json() == expected(group)


@pytest.mark.parametrize("group", GROUPS)
def test_settings_put_without_body_is_400(api, admin, clinic, group):
    """A missing body is a mistake; ``{}`` is the way to change nothing."""
    client = api(admin)

    response = client.put(SETTINGS[group])

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert client.put(SETTINGS[group], {}, format="json").json() == expected(group)


@pytest.mark.parametrize("value", [0, 1, "true", "yes", "on"])
def test_boolean_setting_must_be_json_true_or_false(api, admin, clinic, value):
    """As the schema says: not DRF's lenient 0, 1, "yes" or "on"."""
    client = api(admin)

    response = client.put(SETTINGS["notifications"], {"notify_via_email": value}, format="json")

    assert_field_error(response, "notify_via_email")
    assert client.get(SETTINGS["notifications"]).json() == DEFAULTS["notifications"]


def test_one_bad_key_keeps_the_good_ones_from_being_stored(api, admin, clinic):
    client = api(admin)

    response = client.put(
        SETTINGS["scheduling"],
        {"allow_overlapping": True, "auto_no_show_threshold": 0},
        format="json",
    )

    assert_field_error(response, "auto_no_show_threshold")
    assert "allow_overlapping" not in response.json()
    assert client.get(SETTINGS["scheduling"]).json() == DEFAULTS["scheduling"]


def test_keys_of_another_group_are_ignored(api, admin, clinic):
    """Each endpoint writes its own group; a stray key of another group is not stored."""
    client = api(admin)

    response = client.put(
        SETTINGS["notifications"], {"slot_size": 15, "notify_via_email": True}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {**DEFAULTS["notifications"], "notify_via_email": True}
    assert client.get(SETTINGS["clinic"]).json()["slot_size"] == 30
