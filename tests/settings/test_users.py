"""``/api/settings/users``: admins manage their clinic's staff accounts. A doctor
account gets its doctor profile in the same transaction; disabling an account
signs it out everywhere at once; nobody disables themselves or the last admin."""

import contextlib
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Doctor, DoctorSettings, Role, Session, User
from clinicflow.exceptions import Conflict
from tests.factories import PASSWORD, UserFactory
from tests.settings.helpers import USERS, assert_error, assert_field_error

LOGIN = "/api/auth/login"
REFRESH = "/api/auth/refresh"
ME = "/api/auth/me"
NEW_PASSWORD = "plum-velvet-harbour-42"


def user_url(user, action: str | None = None) -> str:
    pk = getattr(user, "pk", user)
    return f"{USERS}/{pk}/{action}" if action else f"{USERS}/{pk}"


def login(email: str, password: str = PASSWORD):
    return APIClient().post(LOGIN, {"email": email, "password": password}, format="json")


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def new_user(**changes) -> dict:
    body = {
        "email": "new.person@clinic.test",
        "password": NEW_PASSWORD,
        "role": "owner",
        "first_name": "Nadia",
        "last_name": "Okafor",
    }
    body.update(changes)
    return body


# Listing -----------------------------------------------------------------------------


def test_admin_lists_the_clinics_staff(api, admin, owner, doctor, other_doctor, outsider_admin):
    response = api(admin).get(USERS)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    by_email = {row["email"]: row for row in body["results"]}
    assert set(by_email) == {admin.email, owner.email, doctor.email, other_doctor.email}
    assert by_email[doctor.email]["doctor_id"] == str(doctor.doctor.id)
    assert by_email[owner.email]["doctor_id"] is None
    assert by_email[admin.email] == {
        **by_email[admin.email],
        "id": str(admin.id),
        "role": "admin",
        "clinic_id": str(admin.clinic_id),
        "is_active": True,
    }
    assert "password" not in by_email[admin.email]


def test_outsider_admin_lists_only_their_own_staff(api, admin, doctor, outsider_admin):
    body = api(outsider_admin).get(USERS).json()

    assert [row["email"] for row in body["results"]] == [outsider_admin.email]


# Who may ------------------------------------------------------------------------------

ACTIONS = [
    ("get", "list", None),
    ("post", "list", new_user()),
    ("put", "detail", {"first_name": "Changed"}),
    ("post", "disable", None),
    ("post", "enable", None),
]


def action_url(kind: str, target) -> str:
    if kind == "list":
        return USERS
    return user_url(target, None if kind == "detail" else kind)


@pytest.mark.parametrize(("method", "kind", "body"), ACTIONS)
@pytest.mark.parametrize("role", ["doctor", "owner"])
def test_roles_other_than_admin_get_403(request, api, other_doctor, role, method, kind, body):
    user = request.getfixturevalue(role)

    response = getattr(api(user), method)(action_url(kind, other_doctor), body, format="json")

    assert_error(response, 403, "forbidden_role")
    target = User.objects.get(pk=other_doctor.pk)
    assert (target.first_name == "Changed", target.is_active) == (False, True)
    assert not User.objects.filter(email="new.person@clinic.test").exists()


@pytest.mark.parametrize(("method", "kind", "body"), ACTIONS)
def test_anonymous_gets_401(anon, other_doctor, method, kind, body):
    response = getattr(anon, method)(action_url(kind, other_doctor), body, format="json")

    assert_error(response, 401)


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [("put", None, {"first_name": "Changed"}), ("post", "disable", None), ("post", "enable", None)],
)
def test_outsider_admin_gets_404_for_our_users(api, doctor, outsider_admin, method, action, body):
    response = getattr(api(outsider_admin), method)(user_url(doctor, action), body, format="json")

    assert_error(response, 404)
    doctor.refresh_from_db()
    assert doctor.is_active is True
    assert doctor.first_name != "Changed"


# Creating ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_admin_creates_a_staff_account_that_can_sign_in(api, admin, clinic, role):
    response = api(admin).post(USERS, new_user(role=role), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        **body,
        "email": "new.person@clinic.test",
        "first_name": "Nadia",
        "last_name": "Okafor",
        "role": role,
        "clinic_id": str(clinic.id),
        "doctor_id": None,
        "is_active": True,
    }
    assert "password" not in body
    signed_in = login("new.person@clinic.test", NEW_PASSWORD)
    assert signed_in.status_code == 200, signed_in.content
    assert signed_in.json()["role"] == role


def test_creating_a_doctor_account_creates_its_doctor_profile(api, admin, clinic):
    response = api(admin).post(
        USERS,
        new_user(
            role="doctor",
            doctor_details={"specialty": "Dermatology", "default_visit_length": 45},
        ),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "doctor"
    doctor = Doctor.objects.get(pk=body["doctor_id"])
    assert (doctor.user_id, doctor.clinic_id) == (
        User.objects.get(email=body["email"]).pk,
        clinic.id,
    )
    assert (doctor.name, doctor.specialty, doctor.default_visit_length) == (
        "Dr. Nadia Okafor",
        "Dermatology",
        45,
    )
    assert DoctorSettings.objects.filter(doctor=doctor).exists()
    me = login("new.person@clinic.test", NEW_PASSWORD).json()
    assert me["user"]["doctor_id"] == body["doctor_id"]


def test_a_doctor_account_and_its_profile_are_one_transaction(api, admin, monkeypatch):
    """When the profile cannot be made, the account is not made either."""

    def broken(**kwargs):
        raise RuntimeError("the doctor profile could not be written")

    monkeypatch.setattr(services, "doctor_create", broken)

    with pytest.raises(RuntimeError):
        api(admin).post(USERS, new_user(role="doctor"), format="json")

    assert not User.objects.filter(email="new.person@clinic.test").exists()
    assert not Doctor.objects.filter(name="Dr. Nadia Okafor").exists()


def test_the_clinic_of_a_new_account_is_the_admins(api, admin, clinic, other_clinic):
    response = api(admin).post(
        USERS,
        {**new_user(), "clinic_id": str(other_clinic.id), "clinic": str(other_clinic.id)},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["clinic_id"] == str(clinic.id)
    assert User.objects.get(email="new.person@clinic.test").clinic_id == clinic.id


@pytest.mark.parametrize("password", ["short", "password", "12345678901234", "new.person.clinic"])
def test_a_weak_password_is_400_naming_password(api, admin, password):
    response = api(admin).post(USERS, new_user(password=password), format="json")

    assert_field_error(response, "password")
    assert not User.objects.filter(email="new.person@clinic.test").exists()


@pytest.mark.parametrize("email", ["ADMIN@clinic.test", "Admin@Uptown.TEST", " admin@clinic.test "])
def test_an_email_in_use_is_400_whatever_its_case(api, admin, outsider_admin, email):
    response = api(admin).post(USERS, new_user(email=email), format="json")

    assert_field_error(response, "email")
    assert User.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "superuser"}, "role"),
        ({"role": None}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"password": ""}, "password"),
        ({"doctor_details": {"color": "blue"}}, "doctor_details"),
    ],
)
def test_invalid_new_accounts_are_400_naming_the_field(api, admin, changes, field):
    response = api(admin).post(USERS, new_user(**changes), format="json")

    assert_field_error(response, field)
    assert User.objects.count() == 1


def test_a_new_email_is_stored_in_lower_case(api, admin):
    response = api(admin).post(USERS, new_user(email="New.Person@Clinic.TEST"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["email"] == "new.person@clinic.test"


# Updating ------------------------------------------------------------------------------


def test_put_changes_only_the_fields_it_sends(api, admin, owner):
    before = User.objects.get(pk=owner.pk)

    response = api(admin).put(user_url(owner), {"first_name": "Olive"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["first_name"], body["last_name"], body["email"]) == (
        "Olive",
        before.last_name,
        before.email,
    )
    assert User.objects.get(pk=owner.pk).first_name == "Olive"


def test_put_changes_the_email_in_lower_case(api, admin, owner):
    response = api(admin).put(user_url(owner), {"email": "Olive@Clinic.TEST"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["email"] == "olive@clinic.test"
    assert login("olive@clinic.test").status_code == 200


def test_put_refuses_an_email_in_use(api, admin, owner, doctor):
    response = api(admin).put(user_url(owner), {"email": doctor.email.upper()}, format="json")

    assert_field_error(response, "email")
    assert User.objects.get(pk=owner.pk).email == owner.email


@pytest.mark.parametrize(
    "body",
    [
        {"role": "admin"},
        {"clinic": "00000000-0000-0000-0000-000000000000"},
        {"clinic_id": "00000000-0000-0000-0000-000000000000"},
        {"first_name": "Olive", "role": "admin"},
    ],
)
def test_role_and_clinic_cannot_change(api, admin, owner, body):
    response = api(admin).put(user_url(owner), body, format="json")

    key = next(k for k in body if k != "first_name")
    assert_field_error(response, key)
    fresh = User.objects.get(pk=owner.pk)
    assert (fresh.role, fresh.clinic_id, fresh.first_name) == (
        Role.OWNER,
        owner.clinic_id,
        owner.first_name,
    )


def test_a_new_password_ends_the_users_sessions(api, admin, owner):
    old = login(owner.email).json()

    response = api(admin).put(user_url(owner), {"password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    assert_error(bearer(old["token"]).get(ME), 401)
    assert_error(APIClient().post(REFRESH, {"refresh": old["refresh"]}, format="json"), 401)
    assert login(owner.email).status_code == 401
    assert login(owner.email, NEW_PASSWORD).status_code == 200


def test_changing_ones_own_password_ends_only_the_other_sessions(api, admin):
    """The admin who changes their password stays signed in where they did it."""
    elsewhere = login(admin.email).json()
    here = bearer(login(admin.email).json()["token"])

    response = here.put(user_url(admin), {"password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    assert_error(bearer(elsewhere["token"]).get(ME), 401)
    assert here.get(ME).status_code == 200


def test_a_weak_new_password_is_400_and_keeps_the_sessions(api, admin, owner):
    old = login(owner.email).json()

    response = api(admin).put(user_url(owner), {"password": "password"}, format="json")

    assert_field_error(response, "password")
    assert bearer(old["token"]).get(ME).status_code == 200


# Disabling and enabling --------------------------------------------------------------


def test_disabling_revokes_every_token_at_once(api, admin, doctor):
    first = login(doctor.email).json()
    second = login(doctor.email).json()

    response = api(admin).post(user_url(doctor, "disable"))

    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    for tokens in (first, second):
        assert_error(bearer(tokens["token"]).get(ME), 401)
        assert_error(APIClient().post(REFRESH, {"refresh": tokens["refresh"]}, format="json"), 401)
    assert not Session.objects.filter(user=doctor, revoked_at__isnull=True).exists()


def test_a_disabled_user_cannot_sign_in(api, admin, doctor):
    api(admin).post(user_url(doctor, "disable"))

    response = login(doctor.email)

    body = assert_error(response, 401, "invalid_credentials")
    assert body["detail"] == login(doctor.email, "wrong-password-entirely").json()["detail"]


def test_enabling_restores_sign_in(api, admin, doctor):
    client = api(admin)
    client.post(user_url(doctor, "disable"))

    response = client.post(user_url(doctor, "enable"))

    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is True
    signed_in = login(doctor.email)
    assert signed_in.status_code == 200, signed_in.content
    assert bearer(signed_in.json()["token"]).get(ME).status_code == 200


def test_enabling_does_not_revive_old_sessions(api, admin, doctor):
    old = login(doctor.email).json()
    client = api(admin)
    client.post(user_url(doctor, "disable"))

    client.post(user_url(doctor, "enable"))

    assert_error(bearer(old["token"]).get(ME), 401)


def test_an_admin_cannot_disable_themselves(api, admin):
    UserFactory(clinic=admin.clinic, role=Role.ADMIN, email="second.admin@clinic.test")

    response = api(admin).post(user_url(admin, "disable"))

    assert_error(response, 409, "cannot_disable_self")
    assert User.objects.get(pk=admin.pk).is_active is True


def test_an_admin_disables_another_admin(api, admin):
    second = UserFactory(clinic=admin.clinic, role=Role.ADMIN, email="second.admin@clinic.test")

    response = api(admin).post(user_url(second, "disable"))

    assert response.status_code == 200, response.content
    assert User.objects.get(pk=second.pk).is_active is False


def test_the_last_active_admin_cannot_be_disabled(admin, owner):
    """Through the API the caller is always another active admin, so the rule is
    reached by a caller that is not (an operator's script, a job) and by two admins
    disabling each other at once (below, on PostgreSQL)."""
    second = UserFactory(clinic=admin.clinic, role=Role.ADMIN, email="second.admin@clinic.test")
    services.user_disable(user=admin, by=second)

    with pytest.raises(Conflict) as refused:
        services.user_disable(user=second, by=owner)

    assert refused.value.code == "last_admin"
    assert refused.value.status_code == 409
    assert User.objects.get(pk=second.pk).is_active is True


def test_a_disabled_admin_does_not_count_as_the_clinics_admin(api, admin):
    second = UserFactory(clinic=admin.clinic, role=Role.ADMIN, email="second.admin@clinic.test")
    third = UserFactory(clinic=admin.clinic, role=Role.ADMIN, email="third.admin@clinic.test")
    client = api(admin)
    assert client.post(user_url(second, "disable")).status_code == 200

    response = client.post(user_url(third, "disable"))

    assert response.status_code == 200, response.content
    assert list(User.objects.filter(role=Role.ADMIN, is_active=True)) == [admin]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_disabling_each_other_at_once_leave_one_admin(clinic, monkeypatch):
    """Both requests are past sign-in and hold their target's row when they look for
    the clinic's other admins: one is answered 200, the other 409 last_admin (never a
    500), and the clinic keeps exactly one active admin."""
    first = UserFactory(clinic=clinic, role=Role.ADMIN, email="first.admin@clinic.test")
    second = UserFactory(clinic=clinic, role=Role.ADMIN, email="second.admin@clinic.test")
    clients = {user.pk: bearer(services.session_start(user=user)[0]) for user in (first, second)}
    meet = threading.Barrier(2)
    active_admins = services._active_admins

    def both_inside(clinic_id):
        # Where the other request already waits on a lock, there is no need to meet.
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(timeout=3)
        return active_admins(clinic_id)

    monkeypatch.setattr(services, "_active_admins", both_inside)
    answers = {}

    def disable(by, target):
        client = clients[by.pk]
        client.raise_request_exception = False
        try:
            response = client.post(user_url(target, "disable"))
            is_json = response.get("Content-Type", "").startswith("application/json")
            answers[by.email] = (
                response.status_code,
                response.json().get("code") if is_json else None,
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=disable, args=(first, second)),
        threading.Thread(target=disable, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(answers.values(), key=lambda a: a[0]) == [(200, None), (409, "last_admin")]
    assert User.objects.filter(clinic=clinic, role=Role.ADMIN, is_active=True).count() == 1
