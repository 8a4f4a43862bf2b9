"""End to end through a real ASGI server: uvicorn serves HTTP and WebSockets from one
process against the test database and Redis; a booking made over HTTP reaches an
admin's socket as ``appointment:created``."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from uuid import uuid4

import pytest
from django.db import connection
from websockets.sync.client import connect

from accounts.models import Role
from tests.factories import PASSWORD, DoctorFactory, PatientFactory, UserFactory
from tests.realtime.helpers import booking

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 20  # seconds, for the whole conversation with the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, token: str | None = None):
    """(status, JSON body) of one request to the server."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until_healthy(base: str, server: subprocess.Popen, log) -> None:
    give_up = time.monotonic() + 15
    while time.monotonic() < give_up:
        assert server.poll() is None, f"uvicorn exited:\n{Path(log.name).read_text()}"
        try:
            if http("GET", f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"uvicorn did not answer /healthz:\n{Path(log.name).read_text()}")


@pytest.fixture
def server():
    """Starts uvicorn on a free port against the test database; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "REDIS_URL": os.environ["REDIS_URL"],
        "CHANNELS_PREFIX": f"e2e-{uuid4().hex}",
        "HTTPS": "0",
        "LOG_LEVEL": "WARNING",
    }
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "clinicflow.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(base, process, log)
            yield base, log
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_booking_over_http_reaches_an_admins_socket_through_uvicorn(clinic, server):
    base, log = server
    admin = UserFactory(clinic=clinic, role=Role.ADMIN, email="desk@clinic.test")
    doctor = DoctorFactory(clinic=clinic, name="Dr. Chen")
    patient = PatientFactory(clinic=clinic)
    give_up = time.monotonic() + DEADLINE

    status, signed_in = http(
        "POST", f"{base}/api/auth/login", {"email": admin.email, "password": PASSWORD}
    )
    assert status == 200, signed_in
    token = signed_in["token"]

    ws_url = base.replace("http://", "ws://") + "/ws/events/"
    with connect(ws_url, open_timeout=5, close_timeout=2) as ws:
        ws.send(json.dumps({"type": "auth", "token": token}))
        assert json.loads(ws.recv(timeout=5)) == {"type": "auth.ok", "role": "admin"}

        status, booked = http("POST", f"{base}/api/appointments", booking(doctor, patient), token)
        assert status == 201, f"{booked}\n{Path(log.name).read_text()}"

        while True:
            remaining = give_up - time.monotonic()
            assert remaining > 0, "no appointment:created within the deadline"
            message = json.loads(ws.recv(timeout=remaining))
            if message.get("event") == "appointment:created":
                break

    assert message["data"]["appointment"]["id"] == booked["id"]
    assert message["data"]["appointment"]["doctor_id"] == str(doctor.id)
    assert message["data"]["appointment"]["status"] == "unconfirmed"


IDLE_SECONDS = 30  # well past redis-py 8's 5 s default read timeout


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_idle_socket_stays_open_and_delivers_the_next_event(clinic, server):
    """An admin's dashboard that hears nothing for a while is not torn down
    (channels_redis#422: the layer's blocking read used to time out at 5 s)."""
    base, log = server
    admin = UserFactory(clinic=clinic, role=Role.ADMIN, email="desk@clinic.test")
    doctor = DoctorFactory(clinic=clinic, name="Dr. Chen")
    patient = PatientFactory(clinic=clinic)
    status, signed_in = http(
        "POST", f"{base}/api/auth/login", {"email": admin.email, "password": PASSWORD}
    )
    assert status == 200, signed_in
    token = signed_in["token"]

    ws_url = base.replace("http://", "ws://") + "/ws/events/"
    with connect(ws_url, open_timeout=5, close_timeout=2) as ws:
        ws.send(json.dumps({"type": "auth", "token": token}))
        assert json.loads(ws.recv(timeout=5))["type"] == "auth.ok"

        with pytest.raises(TimeoutError):  # nothing, and above all no close
            ws.recv(timeout=IDLE_SECONDS)

        status, booked = http("POST", f"{base}/api/appointments", booking(doctor, patient), token)
        assert status == 201, booked
        give_up = time.monotonic() + DEADLINE
        while True:
            remaining = give_up - time.monotonic()
            assert remaining > 0, "no appointment:created within the deadline"
            message = json.loads(ws.recv(timeout=remaining))
            if message.get("event") == "appointment:created":
                break

    assert message["data"]["appointment"]["id"] == booked["id"]
    assert "Timeout reading" not in Path(log.name).read_text()
