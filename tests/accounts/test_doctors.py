"""/api/doctors: admins manage the clinic's doctors; a doctor sees and edits their own."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Doctor, DoctorSettings, Role
from tests.factories import DoctorFactory, UserFactory

LIST = "/api/doctors/"
DOCTOR_KEYS = {
    "id",
    "user_id",
    "clinic_id",
    "name",
    "initials",
    "specialty",
    "color",
    "default_visit_length",
    "is_active",
    "working_hours",
    "supported_visit_types",
    "allows_virtual_visits",
    "allows_walkins",
    "allow_forced_booking",
    "ai_calls_enabled",
    "created_at",
    "updated_at",
}


def detail(doctor_id) -> str:
    return f"/api/doctors/{doctor_id}/"


def preferences(doctor_id) -> str:
    return f"/api/doctors/{doctor_id}/preferences/"


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}
    if code is not None:
        assert body["code"] == code


def ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def outsider_doctor(other_clinic):
    return DoctorFactory(clinic=other_clinic, name="Dr. Uptown")


@pytest.mark.parametrize(
    "path",
    [
        "/api/doctors",
        "/api/doctors/",
        "/api/doctors/{id}",
        "/api/doctors/{id}/",
    ],
)
def test_doctor_urls_answer_with_and_without_a_trailing_slash(api, admin, doctor, path):
    response = api(admin).get(path.format(id=doctor.doctor.id))

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("suffix", ["", "/"])
def test_doctor_writes_answer_with_and_without_a_trailing_slash(api, admin, doctor, suffix):
    client = api(admin)

    created = client.post(f"/api/doctors{suffix}", {"name": "Dr. Nguyen"})
    updated = client.put(f"/api/doctors/{doctor.doctor.id}{suffix}", {"specialty": "Cardiology"})
    prefs = api(doctor).put(
        f"/api/doctors/{doctor.doctor.id}/preferences{suffix}", {"allows_walkins": False}
    )

    assert created.status_code == 201, created.content
    assert updated.status_code == 200, updated.content
    assert prefs.status_code == 200, prefs.content


# List ---------------------------------------------------------------------------------


def test_admin_lists_every_doctor_of_the_clinic(api, admin, clinic, doctor, other_doctor):
    retired = DoctorFactory(clinic=clinic, name="Dr. Retired", is_active=False)

    response = api(admin).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert body["next"] is None
    assert body["previous"] is None
    assert ids(response) == {str(doctor.doctor.id), str(other_doctor.doctor.id), str(retired.id)}
    assert [row["name"] for row in body["results"]] == ["Dr. Chen", "Dr. Patel", "Dr. Retired"]


def test_doctor_list_rows_have_the_doctor_shape(api, admin, clinic, doctor):
    profile = doctor.doctor

    row = api(admin).get(LIST).json()["results"][0]

    assert set(row) == DOCTOR_KEYS
    assert row["id"] == str(profile.id)
    assert row["user_id"] == str(doctor.id)
    assert row["clinic_id"] == str(clinic.id)
    assert row["name"] == "Dr. Chen"
    assert row["color"] == "#3B82F6"
    assert row["default_visit_length"] == 30
    assert row["is_active"] is True
    assert row["working_hours"] is None
    assert row["supported_visit_types"] == ["in_clinic", "virtual"]
    assert row["allows_virtual_visits"] is True


def test_admin_never_sees_another_clinics_doctors(api, admin, doctor, outsider_doctor):
    response = api(admin).get(LIST)

    assert response.status_code == 200
    assert ids(response) == {str(doctor.doctor.id)}


def test_doctor_lists_only_their_own_profile(api, doctor, other_doctor):
    response = api(doctor).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert ids(response) == {str(doctor.doctor.id)}


def test_doctor_user_without_a_profile_lists_no_doctors(api, clinic, doctor):
    newcomer = UserFactory(clinic=clinic, role=Role.DOCTOR)

    response = api(newcomer).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_owner_gets_403_on_doctor_list(api, owner, doctor):
    assert_error(api(owner).get(LIST), 403, "forbidden_role")


def test_anonymous_gets_401_on_doctor_list(anon, doctor):
    assert_error(anon.get(LIST), 401, "not_authenticated")


def test_outsider_lists_only_their_own_clinics_doctors(
    api, outsider_admin, doctor, outsider_doctor
):
    response = api(outsider_admin).get(LIST)

    assert response.status_code == 200
    assert ids(response) == {str(outsider_doctor.id)}


def test_doctor_list_filters_inactive_doctors(api, admin, clinic, doctor):
    retired = DoctorFactory(clinic=clinic, name="Dr. Retired", is_active=False)
    client = api(admin)

    inactive = client.get(LIST, {"is_active": "false"})
    active = client.get(LIST, {"is_active": "true"})

    assert inactive.status_code == 200
    assert ids(inactive) == {str(retired.id)}
    assert active.status_code == 200
    assert ids(active) == {str(doctor.doctor.id)}


def test_doctor_list_pages_with_page_size(api, admin, clinic):
    DoctorFactory.create_batch(3, clinic=clinic)

    response = api(admin).get(LIST, {"page_size": 2})

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert len(response.json()["results"]) == 2
    assert response.json()["next"] is not None


@pytest.mark.parametrize("value", ["-6428", "maybe", "1", ""])
def test_out_of_range_is_active_is_400(api, admin, doctor, value):
    """Not silently ignored: the list would look filtered while it is not."""
    response = api(admin).get(f"{LIST}?is_active={value}")

    assert response.status_code == 400
    assert "is_active" in response.json()


@pytest.mark.parametrize(("value", "active"), [("true", True), ("false", False)])
def test_is_active_filters_doctors(api, admin, doctor, other_doctor, value, active):
    other_doctor.doctor.is_active = False
    other_doctor.doctor.save()

    response = api(admin).get(LIST, {"is_active": value})

    expected = doctor.doctor if active else other_doctor.doctor
    assert [row["id"] for row in response.json()["results"]] == [str(expected.id)]


@pytest.mark.parametrize("page_size", ["0", "abc"])
def test_doctor_list_rejects_bad_page_size(api, admin, doctor, page_size):
    response = api(admin).get(LIST, {"page_size": page_size})

    assert response.status_code == 400
    assert "page_size" in response.json()


# Create ----------------------------------------------------------------------------------


def test_admin_creates_a_doctor_with_settings_and_derived_initials(api, admin, clinic):
    response = api(admin).post(LIST, {"name": "Dr. Jane Doe", "specialty": "Dermatology"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == DOCTOR_KEYS
    assert body["name"] == "Dr. Jane Doe"
    assert body["initials"] == "JD"
    assert body["clinic_id"] == str(clinic.id)
    assert body["user_id"] is None
    assert body["default_visit_length"] == 30
    assert body["is_active"] is True
    assert body["supported_visit_types"] == ["in_clinic", "virtual"]
    created = Doctor.objects.get(pk=body["id"])
    assert created.clinic == clinic
    assert created.specialty == "Dermatology"
    assert DoctorSettings.objects.filter(doctor=created).exists()


def test_admin_creates_a_doctor_with_every_field(api, admin):
    response = api(admin).post(
        LIST,
        {
            "name": "Dr. Amir Haddad",
            "initials": "AH",
            "color": "#10b981",
            "default_visit_length": 45,
            "working_hours": {"start": "08:00", "end": "14:00"},
            "supported_visit_types": ["in_clinic"],
            "allows_walkins": False,
            "ai_calls_enabled": False,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["initials"] == "AH"
    assert body["color"] == "#10b981"
    assert body["default_visit_length"] == 45
    assert body["working_hours"] == {"start": "08:00", "end": "14:00"}
    assert body["supported_visit_types"] == ["in_clinic"]
    assert body["allows_virtual_visits"] is False
    assert body["allows_walkins"] is False
    assert body["ai_calls_enabled"] is False
    settings = DoctorSettings.objects.get(doctor_id=body["id"])
    assert settings.working_hours_override == {"start": "08:00", "end": "14:00"}
    assert settings.supported_visit_types == ["in_clinic"]
    assert settings.allow_walk_ins is False


def test_created_doctor_lands_in_the_admins_clinic_whatever_the_body_says(
    api, admin, clinic, other_clinic
):
    response = api(admin).post(LIST, {"name": "Dr. Nguyen", "clinic_id": str(other_clinic.id)})

    assert response.status_code == 201
    assert Doctor.objects.get(pk=response.json()["id"]).clinic == clinic


def test_admin_links_a_new_doctor_to_an_existing_doctor_user(api, admin, clinic):
    newcomer = UserFactory(clinic=clinic, role=Role.DOCTOR)

    response = api(admin).post(LIST, {"name": "Dr. Newcomer", "user_id": str(newcomer.id)})

    assert response.status_code == 201, response.content
    assert response.json()["user_id"] == str(newcomer.id)
    assert Doctor.objects.get(pk=response.json()["id"]).user == newcomer


def test_linked_doctor_user_then_lists_their_new_profile(api, admin, clinic):
    newcomer = UserFactory(clinic=clinic, role=Role.DOCTOR)
    created = api(admin).post(LIST, {"name": "Dr. Newcomer", "user_id": str(newcomer.id)})

    response = api(newcomer).get(LIST)

    assert response.status_code == 200
    assert ids(response) == {created.json()["id"]}


def test_linking_another_clinics_user_reads_as_unknown_400(api, admin, other_clinic):
    """An id outside the caller's clinic is refused like a typo, as every input id is."""
    stranger = UserFactory(clinic=other_clinic, role=Role.DOCTOR)

    response = api(admin).post(LIST, {"name": "Dr. Stranger", "user_id": str(stranger.id)})

    assert response.status_code == 400
    assert response.json() == {"user_id": ["Unknown user."]}
    assert not Doctor.objects.filter(name="Dr. Stranger").exists()


def test_linking_an_unknown_user_gets_400(api, admin):
    response = api(admin).post(LIST, {"name": "Dr. Nobody", "user_id": str(uuid.uuid4())})

    assert response.status_code == 400
    assert response.json() == {"user_id": ["Unknown user."]}


@pytest.mark.parametrize("persona", ["admin", "owner"])
def test_linking_a_non_doctor_user_gets_400(request, api, admin, persona):
    user = request.getfixturevalue(persona)

    response = api(admin).post(LIST, {"name": "Dr. Nobody", "user_id": str(user.id)})

    assert response.status_code == 400
    assert "user_id" in response.json()
    assert not Doctor.objects.filter(name="Dr. Nobody").exists()


def test_linking_a_user_who_already_has_a_profile_gets_400(api, admin, doctor):
    response = api(admin).post(LIST, {"name": "Dr. Twin", "user_id": str(doctor.id)})

    assert response.status_code == 400
    assert "user_id" in response.json()
    assert Doctor.objects.filter(user=doctor).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({}, "name", id="name-missing"),
        pytest.param({"name": ""}, "name", id="name-blank"),
        pytest.param({"name": None}, "name", id="name-null"),
        pytest.param({"name": ["Dr. List"]}, "name", id="name-as-list"),
        pytest.param({"name": "x" * 256}, "name", id="name-too-long"),
        pytest.param({"name": "Dr. A", "color": "blue"}, "color", id="color-word"),
        pytest.param({"name": "Dr. A", "color": "#12345"}, "color", id="color-5-digits"),
        pytest.param({"name": "Dr. A", "color": "#GGGGGG"}, "color", id="color-not-hex"),
        pytest.param({"name": "Dr. A", "color": "3B82F6"}, "color", id="color-without-hash"),
        pytest.param(
            {"name": "Dr. A", "default_visit_length": 20}, "default_visit_length", id="length-20"
        ),
        pytest.param(
            {"name": "Dr. A", "default_visit_length": 90}, "default_visit_length", id="length-90"
        ),
        pytest.param(
            {"name": "Dr. A", "working_hours": {"start": "14:00", "end": "08:00"}},
            "working_hours",
            id="hours-end-before-start",
        ),
        pytest.param(
            {"name": "Dr. A", "supported_visit_types": []},
            "supported_visit_types",
            id="no-visit-types",
        ),
        pytest.param(
            {"name": "Dr. A", "supported_visit_types": ["house_call"]},
            "supported_visit_types",
            id="unknown-visit-type",
        ),
        pytest.param(
            {"name": "Dr. A", "supported_visit_types": "virtual"},
            "supported_visit_types",
            id="visit-types-as-string",
        ),
        pytest.param({"name": "Dr. A", "user_id": "not-a-uuid"}, "user_id", id="user-id-not-uuid"),
        pytest.param({"name": "Dr. A", "allows_walkins": "often"}, "allows_walkins", id="walkins"),
    ],
)
def test_invalid_doctor_create_gets_400_naming_the_field(api, admin, payload, field):
    response = api(admin).post(LIST, payload)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Doctor.objects.filter(clinic=admin.clinic).exists()


def test_malformed_json_on_doctor_create_gets_400(api, admin):
    response = api(admin).post(LIST, '{"name": "Dr. A"', content_type="application/json")

    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize("persona", ["doctor", "owner"])
def test_non_admin_gets_403_on_doctor_create(request, api, persona):
    user = request.getfixturevalue(persona)

    response = api(user).post(LIST, {"name": "Dr. Sneaky"})

    assert_error(response, 403, "forbidden_role")
    assert not Doctor.objects.filter(name="Dr. Sneaky").exists()


def test_anonymous_gets_401_on_doctor_create(anon, clinic):
    assert_error(anon.post(LIST, {"name": "Dr. Sneaky"}), 401, "not_authenticated")
    assert not Doctor.objects.filter(name="Dr. Sneaky").exists()


def test_outsider_creates_doctors_only_in_their_own_clinic(
    api, outsider_admin, clinic, other_clinic
):
    response = api(outsider_admin).post(LIST, {"name": "Dr. Uptown", "clinic_id": str(clinic.id)})

    assert response.status_code == 201
    assert Doctor.objects.get(pk=response.json()["id"]).clinic == other_clinic


# Retrieve ------------------------------------------------------------------------------


def test_admin_reads_any_doctor_of_the_clinic(api, admin, other_doctor):
    response = api(admin).get(detail(other_doctor.doctor.id))

    assert response.status_code == 200
    assert set(response.json()) == DOCTOR_KEYS
    assert response.json()["name"] == "Dr. Patel"


def test_doctor_reads_their_own_profile(api, doctor):
    response = api(doctor).get(detail(doctor.doctor.id))

    assert response.status_code == 200
    assert response.json()["id"] == str(doctor.doctor.id)


def test_doctor_gets_404_for_another_doctors_profile(api, doctor, other_doctor):
    assert_error(api(doctor).get(detail(other_doctor.doctor.id)), 404, "not_found")


def test_owner_gets_403_on_doctor_detail(api, owner, doctor):
    assert_error(api(owner).get(detail(doctor.doctor.id)), 403, "forbidden_role")


def test_anonymous_gets_401_on_doctor_detail(anon, doctor):
    assert_error(anon.get(detail(doctor.doctor.id)), 401, "not_authenticated")


def test_outsider_gets_404_for_our_doctor(api, outsider_admin, doctor):
    assert_error(api(outsider_admin).get(detail(doctor.doctor.id)), 404, "not_found")


def test_admin_gets_404_for_another_clinics_doctor(api, admin, outsider_doctor):
    assert_error(api(admin).get(detail(outsider_doctor.id)), 404, "not_found")


@pytest.mark.parametrize("doctor_id", ["dr-chen", "12345", str(uuid.uuid4())])
def test_unknown_or_malformed_doctor_id_gets_404(api, admin, doctor, doctor_id):
    assert_error(api(admin).get(detail(doctor_id)), 404, "not_found")


# Update ---------------------------------------------------------------------------------


def test_admin_updates_a_doctor_and_only_the_keys_sent_change(api, admin, other_doctor):
    profile = other_doctor.doctor

    response = api(admin).put(detail(profile.id), {"name": "Dr. Priya Patel", "color": "#EF4444"})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Dr. Priya Patel"
    assert response.json()["color"] == "#EF4444"
    profile.refresh_from_db()
    assert profile.name == "Dr. Priya Patel"
    assert profile.color == "#EF4444"
    assert profile.specialty == "Family Medicine"
    assert profile.default_visit_length == 30
    assert profile.is_active is True
    assert profile.settings.supported_visit_types == ["in_clinic", "virtual"]


def test_admin_deactivates_a_doctor(api, admin, other_doctor):
    response = api(admin).put(detail(other_doctor.doctor.id), {"is_active": False})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert Doctor.objects.get(pk=other_doctor.doctor.id).is_active is False


def test_admin_sets_a_doctors_working_hours(api, admin, doctor):
    response = api(admin).put(
        detail(doctor.doctor.id), {"working_hours": {"start": "07:30", "end": "15:30"}}
    )

    assert response.status_code == 200
    assert response.json()["working_hours"] == {"start": "07:30", "end": "15:30"}
    assert DoctorSettings.objects.get(doctor=doctor.doctor).working_hours_override == {
        "start": "07:30",
        "end": "15:30",
    }


def test_null_working_hours_falls_back_to_the_clinics(api, admin, doctor):
    DoctorSettings.objects.filter(doctor=doctor.doctor).update(
        working_hours_override={"start": "07:00", "end": "12:00"}
    )

    response = api(admin).put(detail(doctor.doctor.id), {"working_hours": None})

    assert response.status_code == 200
    assert response.json()["working_hours"] is None
    assert DoctorSettings.objects.get(doctor=doctor.doctor).working_hours_override is None


def test_doctor_updates_their_own_profile(api, doctor):
    response = api(doctor).put(
        detail(doctor.doctor.id),
        {
            "specialty": "Sports Medicine",
            "default_visit_length": 15,
            "supported_visit_types": ["virtual"],
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["specialty"] == "Sports Medicine"
    profile = Doctor.objects.get(pk=doctor.doctor.id)
    assert profile.specialty == "Sports Medicine"
    assert profile.default_visit_length == 15
    assert profile.name == "Dr. Chen"
    assert profile.settings.supported_visit_types == ["virtual"]


def test_doctor_gets_404_updating_another_doctor(api, doctor, other_doctor):
    response = api(doctor).put(detail(other_doctor.doctor.id), {"name": "Dr. Renamed"})

    assert_error(response, 404, "not_found")
    assert Doctor.objects.get(pk=other_doctor.doctor.id).name == "Dr. Patel"


@pytest.mark.parametrize("is_active", [False, True])
def test_doctor_gets_403_sending_is_active(api, doctor, is_active):
    response = api(doctor).put(detail(doctor.doctor.id), {"is_active": is_active, "name": "Dr. X"})

    assert_error(response, 403)
    assert response.json()["detail"] == "Only an admin can activate or deactivate a doctor."
    profile = Doctor.objects.get(pk=doctor.doctor.id)
    assert profile.is_active is True
    assert profile.name == "Dr. Chen"


def test_the_doctor_rules_hold_outside_the_api(doctor, other_doctor, outsider_admin):
    """The service, not the view, decides: the admin console and the shell go
    through it too."""
    with pytest.raises(PermissionDenied, match="Only an admin"):
        services.doctor_update(doctor=doctor.doctor, by=doctor, data={"is_active": False})
    with pytest.raises(PermissionDenied):
        services.doctor_update(doctor=other_doctor.doctor, by=doctor, data={"name": "Dr. X"})
    with pytest.raises(PermissionDenied):
        services.doctor_update(doctor=doctor.doctor, by=outsider_admin, data={"name": "Dr. X"})
    with pytest.raises(ValidationError):
        services.doctor_update(doctor=doctor.doctor, by=doctor, data={"supported_visit_types": []})
    assert Doctor.objects.get(pk=doctor.doctor.id).name == "Dr. Chen"


def test_owner_gets_403_on_doctor_update(api, owner, doctor):
    response = api(owner).put(detail(doctor.doctor.id), {"name": "Dr. Renamed"})

    assert_error(response, 403, "forbidden_role")
    assert Doctor.objects.get(pk=doctor.doctor.id).name == "Dr. Chen"


def test_anonymous_gets_401_on_doctor_update(anon, doctor):
    response = anon.put(detail(doctor.doctor.id), {"name": "Dr. Renamed"})

    assert_error(response, 401, "not_authenticated")
    assert Doctor.objects.get(pk=doctor.doctor.id).name == "Dr. Chen"


def test_outsider_gets_404_updating_our_doctor(api, outsider_admin, doctor):
    response = api(outsider_admin).put(detail(doctor.doctor.id), {"is_active": False})

    assert_error(response, 404, "not_found")
    assert Doctor.objects.get(pk=doctor.doctor.id).is_active is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"name": ""}, "name", id="name-blank"),
        pytest.param({"color": "red"}, "color", id="color-word"),
        pytest.param({"default_visit_length": 25}, "default_visit_length", id="length-25"),
        pytest.param(
            {"working_hours": {"start": "17:00", "end": "09:00"}},
            "working_hours",
            id="hours-end-before-start",
        ),
        pytest.param(
            {"working_hours": {"start": "9", "end": "17"}}, "working_hours", id="hours-not-hh-mm"
        ),
        pytest.param(
            {"working_hours": {"start": "09:00"}}, "working_hours", id="hours-without-end"
        ),
        pytest.param(
            {"working_hours": {"end": "17:00"}}, "working_hours", id="hours-without-start"
        ),
        pytest.param({"working_hours": "9-5"}, "working_hours", id="hours-as-string"),
        pytest.param({"supported_visit_types": []}, "supported_visit_types", id="no-visit-types"),
        pytest.param(
            {"supported_visit_types": ["in_clinic", "phone"]},
            "supported_visit_types",
            id="unknown-visit-type",
        ),
    ],
)
def test_invalid_doctor_update_gets_400_naming_the_field(api, admin, doctor, payload, field):
    response = api(admin).put(detail(doctor.doctor.id), payload)

    assert response.status_code == 400, response.content
    assert field in response.json()
    profile = Doctor.objects.get(pk=doctor.doctor.id)
    assert profile.name == "Dr. Chen"
    assert profile.settings.working_hours_override is None
    assert profile.settings.supported_visit_types == ["in_clinic", "virtual"]


# Preferences ---------------------------------------------------------------------------


def test_doctor_sets_their_own_preferences(api, doctor):
    response = api(doctor).put(
        preferences(doctor.doctor.id),
        {
            "working_hours": {"start": "10:00", "end": "16:00"},
            "allows_walkins": False,
            "ai_calls_enabled": False,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["working_hours"] == {"start": "10:00", "end": "16:00"}
    assert body["allows_walkins"] is False
    assert body["ai_calls_enabled"] is False
    assert body["allows_virtual_visits"] is True
    settings = DoctorSettings.objects.get(doctor=doctor.doctor)
    assert settings.working_hours_override == {"start": "10:00", "end": "16:00"}
    assert settings.allow_walk_ins is False
    assert settings.ai_calls_enabled is False
    assert settings.supported_visit_types == ["in_clinic", "virtual"]


def test_turning_off_virtual_visits_removes_virtual_from_visit_types(api, doctor):
    response = api(doctor).put(preferences(doctor.doctor.id), {"allows_virtual_visits": False})

    assert response.status_code == 200
    assert response.json()["allows_virtual_visits"] is False
    assert response.json()["supported_visit_types"] == ["in_clinic"]
    assert DoctorSettings.objects.get(doctor=doctor.doctor).supported_visit_types == ["in_clinic"]


def test_turning_on_virtual_visits_adds_virtual_to_visit_types(api, doctor):
    DoctorSettings.objects.filter(doctor=doctor.doctor).update(supported_visit_types=["in_clinic"])

    response = api(doctor).put(preferences(doctor.doctor.id), {"allows_virtual_visits": True})

    assert response.status_code == 200
    assert response.json()["supported_visit_types"] == ["in_clinic", "virtual"]
    assert DoctorSettings.objects.get(doctor=doctor.doctor).supported_visit_types == [
        "in_clinic",
        "virtual",
    ]


def test_turning_off_virtual_for_a_virtual_only_doctor_gets_400(api, doctor):
    DoctorSettings.objects.filter(doctor=doctor.doctor).update(supported_visit_types=["virtual"])

    response = api(doctor).put(preferences(doctor.doctor.id), {"allows_virtual_visits": False})

    assert response.status_code == 400
    assert "supported_visit_types" in response.json()
    assert DoctorSettings.objects.get(doctor=doctor.doctor).supported_visit_types == ["virtual"]


def test_preferences_leave_profile_fields_alone(api, doctor):
    """The preferences endpoint cannot rename or reactivate a doctor."""
    response = api(doctor).put(
        preferences(doctor.doctor.id), {"name": "Dr. Renamed", "is_active": False}
    )

    assert response.status_code in {200, 400, 403}
    profile = Doctor.objects.get(pk=doctor.doctor.id)
    assert profile.name == "Dr. Chen"
    assert profile.is_active is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param(
            {"working_hours": {"start": "18:00", "end": "08:00"}},
            "working_hours",
            id="hours-end-before-start",
        ),
        pytest.param(
            {"working_hours": {"start": "08:00"}}, "working_hours", id="hours-without-end"
        ),
        pytest.param({"working_hours": ["08:00", "12:00"]}, "working_hours", id="hours-as-list"),
        pytest.param({"allows_virtual_visits": "maybe"}, "allows_virtual_visits", id="virtual"),
        pytest.param({"allows_walkins": [True]}, "allows_walkins", id="walkins-as-list"),
        pytest.param({"ai_calls_enabled": "sometimes"}, "ai_calls_enabled", id="ai-calls"),
    ],
)
def test_invalid_preferences_get_400_naming_the_field(api, doctor, payload, field):
    response = api(doctor).put(preferences(doctor.doctor.id), payload)

    assert response.status_code == 400, response.content
    assert field in response.json()
    settings = DoctorSettings.objects.get(doctor=doctor.doctor)
    assert settings.working_hours_override is None
    assert settings.allow_walk_ins is True
    assert settings.ai_calls_enabled is True


@pytest.mark.parametrize("persona", ["admin", "owner", "outsider_admin"])
def test_non_doctor_gets_403_on_preferences(request, api, doctor, persona):
    user = request.getfixturevalue(persona)

    response = api(user).put(preferences(doctor.doctor.id), {"allows_walkins": False})

    assert_error(response, 403, "forbidden_role")
    assert DoctorSettings.objects.get(doctor=doctor.doctor).allow_walk_ins is True


def test_doctor_gets_404_on_another_doctors_preferences(api, doctor, other_doctor):
    response = api(doctor).put(preferences(other_doctor.doctor.id), {"allows_walkins": False})

    assert_error(response, 404, "not_found")
    assert DoctorSettings.objects.get(doctor=other_doctor.doctor).allow_walk_ins is True


def test_anonymous_gets_401_on_preferences(anon, doctor):
    response = anon.put(preferences(doctor.doctor.id), {"allows_walkins": False})

    assert_error(response, 401, "not_authenticated")


# Query counts ---------------------------------------------------------------------------

# Session auth (session + user + clinic + settings + doctor in one join), count, page.
DOCTOR_LIST_QUERIES = 3


@pytest.mark.parametrize("rows", [5, 50])
def test_admin_doctor_list_query_count_does_not_grow_with_rows(
    api, admin, clinic, rows, django_assert_max_num_queries
):
    DoctorFactory.create_batch(rows, clinic=clinic)
    client = api(admin)

    with django_assert_max_num_queries(DOCTOR_LIST_QUERIES):
        response = client.get(LIST, {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_doctor_doctor_list_query_count_does_not_grow_with_rows(
    api, doctor, clinic, rows, django_assert_max_num_queries
):
    DoctorFactory.create_batch(rows, clinic=clinic)
    client = api(doctor)

    with django_assert_max_num_queries(DOCTOR_LIST_QUERIES):
        response = client.get(LIST, {"page_size": 100})

    assert response.status_code == 200
    assert ids(response) == {str(doctor.doctor.id)}
