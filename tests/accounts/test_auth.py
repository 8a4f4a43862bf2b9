"""Sign-in, refresh rotation, logout, and the session behind every token."""

import threading
from datetime import timedelta

import jwt
import pytest
from django.contrib.auth.hashers import identify_hasher
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Session
from accounts.services import user_sessions_end
from tests.factories import PASSWORD, UserFactory

LOGIN = "/api/auth/login"
REFRESH = "/api/auth/refresh"
LOGOUT = "/api/auth/logout"
ME = "/api/auth/me"


def login(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", **extra)


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_login_returns_tokens_role_and_user(anon, doctor):
    response = login(anon, "Dr.Chen@Clinic.test")

    assert response.status_code == 200
    body = response.json()
    assert body["token"]
    assert body["refresh"]
    assert body["role"] == "doctor"
    assert body["user"] == {
        "id": str(doctor.id),
        "email": "dr.chen@clinic.test",
        "first_name": doctor.first_name,
        "last_name": doctor.last_name,
        "role": "doctor",
        "clinic_id": str(doctor.clinic_id),
        "doctor_id": str(doctor.doctor.id),
    }


def test_login_of_non_doctor_has_null_doctor_id(anon, admin):
    assert login(anon, admin.email).json()["user"]["doctor_id"] is None


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        ("admin@clinic.test", "wrong-password", True),
        ("nobody@clinic.test", PASSWORD, True),
        ("admin@clinic.test", PASSWORD, False),
    ],
    ids=["wrong-password", "unknown-email", "disabled-account"],
)
def test_failed_logins_all_look_the_same(anon, admin, email, password, active):
    admin.is_active = active
    admin.save()

    response = login(anon, email, password)

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Email or password is incorrect, or the account is disabled.",
        "code": "invalid_credentials",
    }


def test_platform_operator_without_clinic_cannot_use_the_api(anon, db):
    UserFactory(email="ops@clinicflow.test", clinic=None, is_staff=True)

    assert login(anon, "ops@clinicflow.test").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "admin@clinic.test"},
        {"email": "not-an-email", "password": "x"},
        {"email": ["a"], "password": 1},
    ],
)
def test_login_with_malformed_body_is_400(anon, admin, body):
    response = anon.post(LOGIN, body, format="json")

    assert response.status_code == 400


def test_login_with_broken_json_is_400(anon, db):
    response = anon.post(LOGIN, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_passwords_are_hashed_with_argon2(db, clinic):
    user = UserFactory(clinic=clinic)
    user.set_password("a-new-password-1")
    user.save()

    assert identify_hasher(user.password).algorithm == "argon2"
    stored = type(user).objects.filter(pk=user.pk).values_list("password", flat=True).get()
    assert stored.startswith("argon2$")


def test_login_is_throttled_per_email(anon, admin):
    for _ in range(5):
        login(anon, admin.email, "wrong-password", REMOTE_ADDR=f"10.0.0.{_}")

    response = login(anon, admin.email, REMOTE_ADDR="10.0.0.99")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_login_is_throttled_per_ip(anon, db):
    for n in range(20):
        login(anon, f"someone{n}@clinic.test", "x", REMOTE_ADDR="10.1.1.1")

    assert login(anon, "another@clinic.test", "x", REMOTE_ADDR="10.1.1.1").status_code == 429
    assert login(anon, "another@clinic.test", "x", REMOTE_ADDR="10.1.1.2").status_code == 401


def test_me_describes_the_caller(api, doctor, clinic):
    response = api(doctor).get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "doctor"
    assert body["user"]["email"] == doctor.email
    assert body["clinic"] == {
        "id": str(clinic.id),
        "name": clinic.name,
        "timezone": clinic.timezone,
    }
    assert body["doctor"]["id"] == str(doctor.doctor.id)
    assert body["doctor"]["name"] == "Dr. Chen"


def test_me_has_null_doctor_for_owner(api, owner):
    assert api(owner).get(ME).json()["doctor"] is None


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nonsense", "Token abc"])
def test_me_without_a_valid_token_is_401(db, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME)

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}


def test_refresh_token_is_not_accepted_as_access_token(anon, admin):
    refresh = login(anon, admin.email).json()["refresh"]

    assert bearer(refresh).get(ME).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_is_spent(anon, admin):
    tokens = login(anon, admin.email).json()

    first = anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    again = anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    assert first.status_code == 200
    assert set(first.json()) == {"token", "refresh"}
    assert first.json()["refresh"] != tokens["refresh"]
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"
    assert bearer(first.json()["token"]).get(ME).status_code == 200
    assert (
        anon.post(REFRESH, {"refresh": first.json()["refresh"]}, format="json").status_code == 200
    )


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": "garbage"}, {"refresh": 42}])
def test_refresh_with_bad_input_is_400_or_401(anon, db, body):
    assert anon.post(REFRESH, body, format="json").status_code in (400, 401)


def test_access_token_cannot_be_used_to_refresh(anon, admin):
    access = login(anon, admin.email).json()["token"]

    assert anon.post(REFRESH, {"refresh": access}, format="json").status_code == 401


def test_logout_revokes_access_and_refresh_at_once(anon, admin):
    tokens = login(anon, admin.email).json()
    client = bearer(tokens["token"])

    assert client.post(LOGOUT).status_code == 204

    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "session_ended"
    assert anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_logout_ends_only_that_session(anon, admin):
    laptop = login(anon, admin.email).json()["token"]
    phone = login(anon, admin.email).json()["token"]

    bearer(laptop).post(LOGOUT)

    assert bearer(phone).get(ME).status_code == 200


def test_disabling_a_user_rejects_their_tokens_on_the_next_request(anon, admin, doctor):
    tokens = login(anon, doctor.email).json()
    doctor.is_active = False
    doctor.save()
    user_sessions_end(user=doctor)

    assert bearer(tokens["token"]).get(ME).status_code == 401
    assert anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_inactive_user_is_rejected_even_with_a_live_session(anon, doctor):
    """A user switched off in /admin/ is refused even before their sessions are ended."""
    tokens = login(anon, doctor.email).json()
    type(doctor).objects.filter(pk=doctor.pk).update(is_active=False)

    assert bearer(tokens["token"]).get(ME).status_code == 401
    assert anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_session_lasts_the_clinics_session_timeout(anon, admin, clinic):
    clinic.settings.session_timeout = 30
    clinic.settings.save()

    before = timezone.now()
    tokens = login(anon, admin.email).json()
    session = Session.objects.get(user=admin)

    assert timedelta(minutes=29) < session.expires_at - before <= timedelta(minutes=31)
    Session.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(tokens["token"]).get(ME).status_code == 401
    assert anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_login_records_where_the_session_came_from(anon, admin):
    login(anon, admin.email, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Frontdesk/1.0")

    session = Session.objects.get(user=admin)
    assert session.ip_address == "203.0.113.7"
    assert session.user_agent == "Frontdesk/1.0"


def test_expired_access_token_is_401(anon, admin):
    access = AccessToken(login(anon, admin.email).json()["token"])
    access.set_exp(lifetime=timedelta(seconds=-1))

    response = bearer(str(access)).get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_token_signed_with_another_key_is_401(anon, admin):
    access = AccessToken(login(anon, admin.email).json()["token"])
    forged = jwt.encode(
        dict(access.payload), "not-the-signing-key-but-long-enough-for-hs256", algorithm="HS256"
    )

    assert bearer(forged).get(ME).status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_with_one_token_succeed_exactly_once(clinic):
    """Ten requests race with the same refresh token; exactly one gets new tokens."""
    admin = UserFactory(clinic=clinic, email="racer@clinic.test")
    refresh = login(APIClient(), admin.email).json()["refresh"]
    barrier = threading.Barrier(10)
    statuses = []

    def refresh_once():
        try:
            barrier.wait()
            statuses.append(
                APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh_once) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [401] * 9
