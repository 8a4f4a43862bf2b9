"""``/ws/events/``: a socket is signed in by its first message, and only by a live
access token; it is closed with 4401 otherwise, and as soon as its session is
logged out or its user disabled. Browser origins are checked.

What travels through the channel layer (joining groups, closing a socket from a
request) runs on both layers; refusals decided before any group is joined run on
the in-memory one."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from accounts.models import Session, User
from accounts.services import session_start
from clinicflow.asgi import application
from tests.realtime.helpers import (
    UNAUTHORIZED,
    WS_PATH,
    Sockets,
    bearer,
    book,
    call,
    closed_with,
    next_event,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("role", ["admin", "doctor", "owner"])
def test_every_role_is_signed_in_with_its_role(request, layer, token, role):
    access = token(request.getfixturevalue(role))

    async def scenario():
        async with Sockets() as sockets:
            comm = await sockets.connect()
            await comm.send_json_to({"type": "auth", "token": access})
            reply = await comm.receive_json_from(timeout=3)
            assert (reply["type"], reply["role"]) == ("auth.ok", role)
            assert await comm.receive_nothing(timeout=0.2)

    async_to_sync(scenario)()


async def _refused(first_message=None, *, text=None) -> int:
    async with Sockets() as sockets:
        comm = await sockets.connect()
        if text is not None:
            await comm.send_to(text_data=text)
        else:
            await comm.send_json_to(first_message)
        return await closed_with(comm)


@pytest.mark.parametrize(
    "bad", ["", "not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "Bearer {token}"]
)
def test_a_bad_token_closes_the_socket_with_4401(memory_layer, admin, token, bad):
    message = {"type": "auth", "token": bad.format(token=token(admin))}

    assert async_to_sync(_refused)(message) == UNAUTHORIZED


def test_a_refresh_token_is_not_an_access_token(memory_layer, admin):
    _, refresh = session_start(user=admin)

    assert async_to_sync(_refused)({"type": "auth", "token": refresh}) == UNAUTHORIZED


@pytest.mark.parametrize("ending", ["logged out", "expired", "user disabled"])
def test_the_token_of_an_ended_session_closes_the_socket(
    memory_layer, api, admin, doctor, token, ending
):
    access = token(doctor)
    if ending == "logged out":
        assert bearer(access).post("/api/auth/logout").status_code == 204
    elif ending == "expired":
        Session.objects.filter(user=doctor).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        assert api(admin).post(f"/api/settings/users/{doctor.pk}/disable").status_code == 200

    assert async_to_sync(_refused)({"type": "auth", "token": access}) == UNAUTHORIZED


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ({"type": "subscribe", "token": "x"}, None),
        ({"type": "auth"}, None),
        ({"type": "auth", "token": 42}, None),
        (["auth"], None),
        (None, "hello, server"),
    ],
    ids=["other-type", "no-token", "number-token", "a-list", "not-json"],
)
def test_a_first_message_that_is_not_auth_closes_with_4401(memory_layer, admin, message, text):
    assert async_to_sync(_refused)(message, text=text) == UNAUTHORIZED


def test_an_auth_message_sent_after_a_wrong_one_is_too_late(memory_layer, admin, token):
    access = token(admin)

    async def scenario():
        async with Sockets() as sockets:
            comm = await sockets.connect()
            await comm.send_json_to({"type": "hello"})
            await comm.send_json_to({"type": "auth", "token": access})
            assert await closed_with(comm) == UNAUTHORIZED

    async_to_sync(scenario)()


def test_silence_closes_the_socket_after_the_auth_timeout(memory_layer, monkeypatch):
    monkeypatch.setattr("dashboard.consumers.AUTH_TIMEOUT", 0.2)

    async def scenario():
        async with Sockets() as sockets:
            comm = await sockets.connect()
            assert await closed_with(comm, timeout=2) == UNAUTHORIZED

    async_to_sync(scenario)()


def test_a_signed_in_socket_outlives_the_auth_timeout(memory_layer, admin, token, monkeypatch):
    monkeypatch.setattr("dashboard.consumers.AUTH_TIMEOUT", 0.2)
    access = token(admin)

    async def scenario():
        async with Sockets() as sockets:
            comm = await sockets.signed_in(access, "admin")
            assert await comm.receive_nothing(timeout=0.5)

    async_to_sync(scenario)()


def test_logout_closes_that_sessions_socket_only(layer, admin, doctor, patient, token):
    leaving, staying = token(admin), token(admin)

    async def scenario():
        async with Sockets() as sockets:
            gone = await sockets.signed_in(leaving, "admin")
            kept = await sockets.signed_in(staying, "admin")

            response = await call(bearer(leaving).post, "/api/auth/logout")

            assert response.status_code == 204
            assert await closed_with(gone) == UNAUTHORIZED
            assert await kept.receive_nothing(timeout=0.3)
            await book(bearer(staying), doctor.doctor, patient)
            assert (await next_event(kept, "appointment:created"))["event"]

    async_to_sync(scenario)()


def test_disabling_a_user_closes_their_open_sockets(layer, admin, doctor, token):
    access, other = token(doctor), token(doctor)
    admin_access = token(admin)

    async def scenario():
        async with Sockets() as sockets:
            first = await sockets.signed_in(access, "doctor")
            second = await sockets.signed_in(other, "doctor")
            watching = await sockets.signed_in(admin_access, "admin")

            response = await call(
                bearer(admin_access).post, f"/api/settings/users/{doctor.pk}/disable"
            )

            assert response.status_code == 200, response.content
            assert await first.receive_output(timeout=3) == {
                "type": "websocket.close",
                "code": UNAUTHORIZED,
            }
            assert await closed_with(second) == UNAUTHORIZED
            assert await watching.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()


# Origins -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5173",  # a CORS_ALLOWED_ORIGINS default
        "http://127.0.0.1:8000",  # this site (ALLOWED_HOSTS)
        None,  # not a browser
    ],
)
def test_allowed_origins_and_no_origin_are_accepted(memory_layer, admin, token, origin):
    if origin == "http://localhost:5173":
        assert origin in settings.CORS_ALLOWED_ORIGINS
    access = token(admin)

    async def scenario():
        async with Sockets() as sockets:
            comm = await sockets.connect(origin=origin)
            await comm.send_json_to({"type": "auth", "token": access})
            reply = await comm.receive_json_from(timeout=3)
            assert (reply["type"], reply["role"]) == ("auth.ok", "admin")

    async_to_sync(scenario)()


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://localhost.evil.example", "http://evil.example:5173", "null"],
)
def test_a_foreign_browser_origin_is_refused_with_4403(memory_layer, origin):
    async def scenario():
        comm = WebsocketCommunicator(application, WS_PATH, headers=[(b"origin", origin.encode())])
        connected, code = await comm.connect(timeout=3)
        assert (connected, code) == (False, 4403)

    async_to_sync(scenario)()


@pytest.mark.parametrize("ending", ["revoked", "expired", "user disabled"])
def test_a_socket_whose_session_ends_without_a_message_is_closed_at_the_recheck(
    memory_layer, admin, doctor, token, monkeypatch, ending
):
    """The periodic session check is what keeps "closed within 60 seconds" when no
    close message arrives (a lost message, a session that simply expires)."""
    monkeypatch.setattr("dashboard.consumers.RECHECK_SECONDS", 0.2)
    access = token(doctor)
    changes = {
        "revoked": lambda: Session.objects.filter(user=doctor).update(revoked_at=timezone.now()),
        "expired": lambda: Session.objects.filter(user=doctor).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        ),
        "user disabled": lambda: User.objects.filter(pk=doctor.pk).update(is_active=False),
    }

    async def scenario():
        async with Sockets() as sockets:
            comm = await sockets.signed_in(access, "doctor")
            assert await comm.receive_nothing(timeout=0.3)

            await call(changes[ending])

            assert await closed_with(comm, timeout=3) == UNAUTHORIZED

    async_to_sync(scenario)()
