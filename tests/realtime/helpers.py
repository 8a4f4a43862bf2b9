"""Small helpers of the live-update tests: sockets on ``/ws/events/``, HTTP calls made
from inside an async scenario, and the data the scenarios book.

There is no pytest-asyncio: a test is a sync function that runs an ``async``
scenario with ``async_to_sync``. ``receive_nothing`` proves silence without
tearing the socket down (a timed-out ``receive_*`` would cancel the consumer).
"""

import contextlib
import json
from datetime import date

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from clinicflow.asgi import application
from clinicflow.event_log import parse_id

WS_PATH = "/ws/events/"
MONDAY = date(2030, 1, 7)
APPOINTMENTS = "/api/appointments/"
UNAUTHORIZED = 4401
STATUSES = (
    "unconfirmed",
    "confirmed",
    "arrived",
    "in_progress",
    "completed",
    "cancelled",
    "no_show",
)

FIELDS = [
    {"key": "reason", "label": "Reason for visit", "type": "textarea", "required": True},
    {"key": "allergies", "label": "Allergies", "type": "text", "required": False},
    {"key": "consent", "label": "I confirm my answers", "type": "checkbox", "required": True},
]
ANSWERS = {"reason": "Zorblax rash on the elbow", "allergies": "Glimmerberry", "consent": True}


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


async def call(method, *args, **kwargs):
    """Runs a (sync) test-client call from the scenario, on the test's thread."""
    return await sync_to_async(method)(*args, **kwargs)


def booking(doctor, patient, **changes) -> dict:
    """A valid booking body: Monday 2030-01-07 10:00, in clinic, no intake."""
    body = {
        "doctor_id": str(doctor.id),
        "patient_id": str(patient.id),
        "scheduled_date": MONDAY.isoformat(),
        "start_time": "10:00",
        "visit_type": "in_clinic",
        "intake_path": "skip",
    }
    return {**body, **changes}


async def book(client, doctor, patient, **changes) -> dict:
    response = await call(client.post, APPOINTMENTS, booking(doctor, patient, **changes))
    assert response.status_code == 201, response.content
    return response.json()


async def action(client, appointment_id, name, body=None):
    response = await call(client.post, f"{APPOINTMENTS}{appointment_id}/{name}/", body or {})
    assert response.status_code in (200, 201), response.content
    return response.json()


async def submit_intake(admin_client, appointment_id: str, template) -> None:
    """Sends the intake link and answers it as the patient would."""
    sent = await action(
        admin_client, appointment_id, "send-intake", {"template_id": str(template.id)}
    )
    raw = sent["intake_url"].rstrip("/").rsplit("/", 1)[-1]
    response = await call(
        APIClient().post, f"/api/public/intake/{raw}", {"responses": ANSWERS}, format="json"
    )
    assert response.status_code == 201, response.content


class Sockets:
    """Opens communicators against the real ASGI application and closes every one of
    them when the scenario ends, even when an assertion failed."""

    def __init__(self):
        self.open: list[WebsocketCommunicator] = []

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        for comm in self.open:
            with contextlib.suppress(Exception):  # the socket may already be closed
                await comm.disconnect()

    async def connect(self, *, origin: str | None = None) -> WebsocketCommunicator:
        headers = [(b"origin", origin.encode())] if origin else []
        comm = WebsocketCommunicator(application, WS_PATH, headers=headers)
        self.open.append(comm)
        connected, _ = await comm.connect(timeout=3)
        assert connected, "the socket was refused"
        return comm

    async def signed_in(self, token: str, role: str | None = None, **auth) -> WebsocketCommunicator:
        """A socket past auth.ok; ``auth`` adds keys to the auth message (``after``)."""
        comm = await self.connect()
        await comm.send_json_to({"type": "auth", "token": token, **auth})
        reply = await comm.receive_json_from(timeout=3)
        assert reply["type"] == "auth.ok", reply
        comm.last_id = reply["last_id"]  # where this socket started in the clinic's log
        if role is not None:
            assert reply == {"type": "auth.ok", "role": role, "last_id": reply["last_id"]}
        return comm


async def next_event(comm, name: str, *, timeout: float = 3) -> dict:
    """Waits for the first ``name`` event, skipping others; fails after ``timeout``."""
    while True:
        message = await comm.receive_json_from(timeout=timeout)
        if message.get("event") == name:
            return message


async def drain(comm, *, quiet: float = 0.3) -> list[dict]:
    """Every message the socket got until it has been quiet for ``quiet`` seconds."""
    messages = []
    while not await comm.receive_nothing(timeout=quiet):
        messages.append(await comm.receive_json_from(timeout=3))
    return messages


def without_ids(messages: list[dict]) -> list[dict]:
    """The events as they were announced, once each has been checked to carry an
    id from the clinic's log, in increasing order."""
    ids = [parse_id(message.get("id")) for message in messages]
    assert None not in ids, messages
    assert ids == sorted(set(ids)), messages
    return [{k: v for k, v in message.items() if k != "id"} for message in messages]


def names(messages: list[dict]) -> list[str]:
    return [m.get("event") for m in messages]


async def closed_with(comm, *, timeout: float = 3) -> int:
    """The close code the server sent (skips any events still queued)."""
    while True:
        output = await comm.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return output.get("code")


def text(messages) -> str:
    return json.dumps(messages)
