"""GET/PUT /api/clinics/<id>: every role reads its own clinic, admins change it."""

import uuid
from datetime import datetime

import pytest

from accounts.models import Clinic, ClinicSettings

ALL_WEEK = {
    "monday": True,
    "tuesday": True,
    "wednesday": True,
    "thursday": True,
    "friday": True,
    "saturday": True,
    "sunday": False,
}


def url(clinic_id) -> str:
    return f"/api/clinics/{clinic_id}/"


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}
    if code is not None:
        assert body["code"] == code


# Reading ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "doctor", "owner"])
def test_staff_read_their_own_clinic(request, api, clinic, persona):
    user = request.getfixturevalue(persona)

    response = api(user).get(url(clinic.id))

    assert response.status_code == 200
    assert response.json() == {
        "id": str(clinic.id),
        "name": "Downtown Family Medicine",
        "timezone": "America/New_York",
        "phone": "",
        "working_days": {
            "monday": True,
            "tuesday": True,
            "wednesday": True,
            "thursday": True,
            "friday": True,
            "saturday": False,
            "sunday": False,
        },
        "clinic_hours": {"start": "09:00", "end": "17:00"},
        "slot_size": 30,
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }
    assert datetime.fromisoformat(response.json()["created_at"]) == clinic.created_at
    assert datetime.fromisoformat(response.json()["updated_at"]).tzinfo is not None


@pytest.mark.parametrize("path", ["/api/clinics/{id}", "/api/clinics/{id}/"])
def test_clinic_answers_with_and_without_a_trailing_slash(api, admin, clinic, path):
    client = api(admin)

    read = client.get(path.format(id=clinic.id))
    update = client.put(path.format(id=clinic.id), {"name": "Downtown Health"})

    assert read.status_code == 200, read.content
    assert read.json()["id"] == str(clinic.id)
    assert update.status_code == 200, update.content
    assert update.json()["name"] == "Downtown Health"


def test_anonymous_gets_401_on_clinic(anon, clinic):
    assert_error(anon.get(url(clinic.id)), 401, "not_authenticated")


def test_invalid_token_gets_401_on_clinic(anon, clinic):
    anon.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = anon.get(url(clinic.id))

    assert_error(response, 401)


def test_outsider_gets_404_for_our_clinic(api, outsider_admin, clinic):
    assert_error(api(outsider_admin).get(url(clinic.id)), 404, "not_found")


def test_admin_gets_404_for_another_clinic(api, admin, other_clinic):
    assert_error(api(admin).get(url(other_clinic.id)), 404, "not_found")


def test_unknown_clinic_id_gets_404(api, admin):
    assert_error(api(admin).get(url(uuid.uuid4())), 404, "not_found")


def test_non_uuid_clinic_id_gets_404(api, admin):
    assert_error(api(admin).get(url("downtown")), 404, "not_found")


def test_clinic_list_is_not_an_endpoint(api, admin):
    """Only ``/api/clinics/<id>`` exists; there is no directory of clinics."""
    assert api(admin).get("/api/clinics/").status_code in {404, 405}


# Updating -----------------------------------------------------------------------


def test_admin_renames_clinic_and_only_the_name_changes(api, admin, clinic):
    before = ClinicSettings.objects.get(clinic=clinic)

    response = api(admin).put(url(clinic.id), {"name": "Downtown Health"})

    assert response.status_code == 200
    assert response.json()["name"] == "Downtown Health"
    assert response.json()["timezone"] == "America/New_York"
    assert response.json()["clinic_hours"] == {"start": "09:00", "end": "17:00"}
    clinic.refresh_from_db()
    assert clinic.name == "Downtown Health"
    assert clinic.timezone == "America/New_York"
    after = ClinicSettings.objects.get(clinic=clinic)
    assert (after.working_days, after.clinic_hours, after.slot_size) == (
        before.working_days,
        before.clinic_hours,
        before.slot_size,
    )


def test_admin_changes_timezone_on_the_clinic_row(api, admin, clinic):
    response = api(admin).put(url(clinic.id), {"timezone": "Europe/Berlin"})

    assert response.status_code == 200
    assert response.json()["timezone"] == "Europe/Berlin"
    assert Clinic.objects.get(pk=clinic.pk).timezone == "Europe/Berlin"
    assert Clinic.objects.get(pk=clinic.pk).name == "Downtown Family Medicine"


def test_admin_changes_hours_days_and_slot_size_in_clinic_settings(api, admin, clinic):
    response = api(admin).put(
        url(clinic.id),
        {
            "clinic_hours": {"start": "08:30", "end": "18:00"},
            "working_days": ALL_WEEK,
            "slot_size": 15,
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["clinic_hours"] == {"start": "08:30", "end": "18:00"}
    assert body["working_days"] == ALL_WEEK
    assert body["slot_size"] == 15
    assert body["name"] == "Downtown Family Medicine"
    settings = ClinicSettings.objects.get(clinic=clinic)
    assert settings.clinic_hours == {"start": "08:30", "end": "18:00"}
    assert settings.working_days == ALL_WEEK
    assert settings.slot_size == 15
    assert Clinic.objects.get(pk=clinic.pk).name == "Downtown Family Medicine"


def test_the_clinic_and_its_settings_page_are_one_writer(api, admin, clinic):
    """The guide lists both PUT /api/clinics/:id and PUT /api/settings/clinic: they take
    the same profile and apply the same rules."""
    client = api(admin)

    through_clinic = client.put(url(clinic.id), {"session_timeout": 90, "slot_size": 7})
    through_settings = client.put("/api/settings/clinic", {"slot_size": 7})

    assert through_clinic.status_code == through_settings.status_code == 400
    assert through_clinic.json() == through_settings.json()
    assert client.put(url(clinic.id), {"session_timeout": 90}).status_code == 200
    assert client.get("/api/settings/clinic").json()["session_timeout"] == 90


def test_empty_update_changes_nothing(api, admin, clinic):
    response = api(admin).put(url(clinic.id), {})

    assert response.status_code == 200
    assert response.json()["name"] == "Downtown Family Medicine"
    assert response.json()["slot_size"] == 30


@pytest.mark.parametrize("persona", ["doctor", "owner"])
def test_non_admin_gets_403_on_clinic_update(request, api, clinic, persona):
    user = request.getfixturevalue(persona)

    response = api(user).put(url(clinic.id), {"name": "Renamed"})

    assert_error(response, 403, "forbidden_role")
    assert Clinic.objects.get(pk=clinic.pk).name == "Downtown Family Medicine"


def test_anonymous_gets_401_on_clinic_update(anon, clinic):
    response = anon.put(url(clinic.id), {"name": "Renamed"})

    assert_error(response, 401, "not_authenticated")
    assert Clinic.objects.get(pk=clinic.pk).name == "Downtown Family Medicine"


def test_outsider_gets_404_on_updating_our_clinic(api, outsider_admin, clinic):
    response = api(outsider_admin).put(url(clinic.id), {"name": "Taken over", "slot_size": 45})

    assert_error(response, 404, "not_found")
    assert Clinic.objects.get(pk=clinic.pk).name == "Downtown Family Medicine"
    assert ClinicSettings.objects.get(clinic=clinic).slot_size == 30


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"name": ""}, "name", id="blank-name"),
        pytest.param({"name": "x" * 256}, "name", id="long-name"),
        pytest.param({"name": ["Downtown"]}, "name", id="name-as-list"),
        pytest.param({"timezone": "Mars/Olympus_Mons"}, "timezone", id="unknown-timezone"),
        pytest.param({"timezone": "America"}, "timezone", id="timezone-is-a-region-folder"),
        pytest.param({"timezone": "../etc/passwd"}, "timezone", id="timezone-path"),
        pytest.param({"timezone": ""}, "timezone", id="blank-timezone"),
        pytest.param(
            {"clinic_hours": {"start": "17:00", "end": "09:00"}},
            "clinic_hours",
            id="end-before-start",
        ),
        pytest.param(
            {"clinic_hours": {"start": "09:00", "end": "09:00"}}, "clinic_hours", id="end-is-start"
        ),
        pytest.param(
            {"clinic_hours": {"start": "9am", "end": "5pm"}}, "clinic_hours", id="hours-not-hh-mm"
        ),
        pytest.param(
            {"clinic_hours": {"start": "25:00", "end": "26:00"}}, "clinic_hours", id="hour-25"
        ),
        pytest.param({"clinic_hours": {"start": "08:00"}}, "clinic_hours", id="hours-without-end"),
        pytest.param({"clinic_hours": "09:00-17:00"}, "clinic_hours", id="hours-as-string"),
        pytest.param({"clinic_hours": None}, "clinic_hours", id="hours-null"),
        pytest.param({"slot_size": 20}, "slot_size", id="slot-20"),
        pytest.param({"slot_size": 60}, "slot_size", id="slot-60"),
        pytest.param({"slot_size": "thirty"}, "slot_size", id="slot-as-word"),
        pytest.param(
            {"working_days": {**ALL_WEEK, "funday": True}}, "working_days", id="unknown-day"
        ),
        pytest.param(
            {"working_days": {k: v for k, v in ALL_WEEK.items() if k != "sunday"}},
            "working_days",
            id="missing-day",
        ),
        pytest.param(
            {"working_days": {**ALL_WEEK, "monday": "yes"}}, "working_days", id="day-as-string"
        ),
        pytest.param({"working_days": {**ALL_WEEK, "monday": 1}}, "working_days", id="day-as-1"),
        pytest.param({"working_days": ["monday", "tuesday"]}, "working_days", id="days-as-list"),
        pytest.param({"working_days": None}, "working_days", id="days-null"),
    ],
)
def test_invalid_clinic_update_gets_400_naming_the_field(api, admin, clinic, payload, field):
    response = api(admin).put(url(clinic.id), payload)

    assert response.status_code == 400, response.content
    assert field in response.json()
    settings = ClinicSettings.objects.get(clinic=clinic)
    assert settings.slot_size == 30
    assert settings.clinic_hours == {"start": "09:00", "end": "17:00"}


def test_invalid_field_rejects_the_whole_clinic_update(api, admin, clinic):
    response = api(admin).put(url(clinic.id), {"name": "Renamed", "slot_size": 20})

    assert response.status_code == 400
    assert set(response.json()) == {"slot_size"}
    assert Clinic.objects.get(pk=clinic.pk).name == "Downtown Family Medicine"


def test_malformed_json_on_clinic_update_gets_400(api, admin, clinic):
    response = api(admin).put(url(clinic.id), '{"name": ', content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_clinic_update_body_that_is_not_an_object_gets_400(api, admin, clinic):
    response = api(admin).put(url(clinic.id), ["name", "Renamed"])

    assert response.status_code == 400
    assert Clinic.objects.get(pk=clinic.pk).name == "Downtown Family Medicine"


def test_admin_sets_the_phone_patients_are_told_to_call(api, admin, clinic):
    response = api(admin).put(url(clinic.id), {"phone": "+1 (555) 010-2000"})

    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+1 (555) 010-2000"
    assert Clinic.objects.get(pk=clinic.pk).phone == "+1 (555) 010-2000"


def test_a_phone_that_is_not_a_number_is_400_and_changes_nothing(api, admin, clinic):
    response = api(admin).put(url(clinic.id), {"phone": "call us!", "name": "Renamed"})

    assert response.status_code == 400
    assert "phone" in response.json()
    assert Clinic.objects.get(pk=clinic.pk).name == "Downtown Family Medicine"
