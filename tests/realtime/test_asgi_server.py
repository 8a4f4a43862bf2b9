"""End to end through a real ASGI server: uvicorn serves HTTP and WebSockets from one
process against the test database and Redis; a booking made over HTTP reaches an
admin's socket as ``appointment:created``."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path
from uuid import uuid4

import pytest
from django.core.management import call_command
from django.db import connection
from websockets.sync.client import connect

from accounts.models import Role
from clinicflow.event_log import parse_id
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


def sign_in(base: str, email: str) -> str:
    """An access token for ``email`` (the factories' password), signed in over HTTP."""
    status, body = http("POST", f"{base}/api/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200, body
    return body["token"]


@contextlib.contextmanager
def events_socket(base: str, token: str, **auth):
    """A ``/ws/events/`` socket past ``auth.ok`` (its reply as ``ws.auth_reply``);
    ``auth`` adds keys to the auth message, such as ``after``."""
    url = base.replace("http://", "ws://") + "/ws/events/"
    with connect(url, open_timeout=5, close_timeout=2) as ws:
        ws.send(json.dumps({"type": "auth", "token": token, **auth}))
        ws.auth_reply = json.loads(ws.recv(timeout=5))
        assert ws.auth_reply["type"] == "auth.ok", ws.auth_reply
        yield ws


def wait_for(ws, event: str, count: int = 1) -> list[dict]:
    """The first ``count`` ``event`` messages, skipping others, within DEADLINE."""
    found, give_up = [], time.monotonic() + DEADLINE
    while len(found) < count:
        remaining = give_up - time.monotonic()
        assert remaining > 0, f"{len(found)} of {count} {event} within {DEADLINE} s"
        message = json.loads(ws.recv(timeout=remaining))
        if message.get("event") == event:
            found.append(message)
    return found


def until_quiet(ws, quiet: float = 1.0) -> list[dict]:
    """Every message the socket receives until it has been quiet for ``quiet`` s."""
    messages = []
    while True:
        try:
            messages.append(json.loads(ws.recv(timeout=quiet)))
        except TimeoutError:
            return messages


@pytest.fixture
def start_server():
    """``start_server(prefix)`` starts uvicorn on a free port against the test
    database and Redis and returns (base URL, log file); every server started is
    stopped at teardown. Servers given one prefix share one channel layer, like the
    web processes of one deployment."""
    started = []

    def start(prefix: str):
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}"
            ),
            "REDIS_URL": os.environ["REDIS_URL"],
            "CHANNELS_PREFIX": prefix,
            "HTTPS": "0",
            "LOG_LEVEL": "WARNING",
        }
        log = tempfile.NamedTemporaryFile("w+", suffix=".log")  # noqa: SIM115 (closed below)
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
        started.append((process, log))
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base, process, log)
        return base, log

    yield start
    for process, log in started:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@pytest.fixture
def server(start_server):
    """One uvicorn; yields its base URL and log."""
    return start_server(f"e2e-{uuid4().hex}")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_booking_over_http_reaches_an_admins_socket_through_uvicorn(clinic, server):
    base, log = server
    admin = UserFactory(clinic=clinic, role=Role.ADMIN, email="desk@clinic.test")
    doctor = DoctorFactory(clinic=clinic, name="Dr. Chen")
    patient = PatientFactory(clinic=clinic)
    token = sign_in(base, admin.email)

    with events_socket(base, token) as ws:
        assert ws.auth_reply["role"] == "admin"
        status, booked = http("POST", f"{base}/api/appointments", booking(doctor, patient), token)
        assert status == 201, f"{booked}\n{Path(log.name).read_text()}"
        (message,) = wait_for(ws, "appointment:created")

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
    token = sign_in(base, admin.email)

    with events_socket(base, token) as ws:
        with pytest.raises(TimeoutError):  # nothing, and above all no close
            ws.recv(timeout=IDLE_SECONDS)

        status, booked = http("POST", f"{base}/api/appointments", booking(doctor, patient), token)
        assert status == 201, booked
        (message,) = wait_for(ws, "appointment:created")

    assert message["data"]["appointment"]["id"] == booked["id"]
    assert "Timeout reading" not in Path(log.name).read_text()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_web_processes_make_one_ordered_stream_per_clinic(clinic, start_server):
    """Bookings made at the same time through two processes reach a socket on one
    of them each once, in the order of the clinic's log."""
    prefix = f"e2e-{uuid4().hex}"
    first, _ = start_server(prefix)
    second, _ = start_server(prefix)
    admin = UserFactory(clinic=clinic, role=Role.ADMIN, email="desk@clinic.test")
    doctors = [DoctorFactory(clinic=clinic, name=f"Dr. {n}") for n in ("Chen", "Patel")]
    patient = PatientFactory(clinic=clinic)
    token = sign_in(first, admin.email)
    slots = [f"{hour:02d}:{minute:02d}" for hour in range(9, 12) for minute in (0, 30)]

    def book_through(base: str, doctor, start: str) -> str:
        status, booked = http(
            "POST", f"{base}/api/appointments", booking(doctor, patient, start_time=start), token
        )
        assert status == 201, booked
        return booked["id"]

    with events_socket(first, token) as ws:
        with ThreadPoolExecutor(max_workers=4) as pool:
            jobs = [
                pool.submit(book_through, base, doctor, start)
                for start in slots
                for base, doctor in ((first, doctors[0]), (second, doctors[1]))
            ]
            booked = {job.result() for job in jobs}
        created = wait_for(ws, "appointment:created", count=len(booked))
        later = until_quiet(ws)
        assert "appointment:created" not in [m.get("event") for m in later]  # none twice

    ids = [parse_id(message["id"]) for message in created]
    assert ids == sorted(set(ids))
    assert {message["data"]["appointment"]["id"] for message in created} == booked


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_client_that_reconnects_with_after_gets_what_it_missed_first(clinic, server, request):
    base, _ = server
    admin = UserFactory(clinic=clinic, role=Role.ADMIN, email="desk@clinic.test")
    chen = DoctorFactory(clinic=clinic, name="Dr. Chen")
    patel = DoctorFactory(clinic=clinic, name="Dr. Patel")
    patient = PatientFactory(clinic=clinic)

    desk, doctor = sign_in(base, admin.email), sign_in(base, chen.user.email)
    sockets = contextlib.ExitStack()  # every socket opened is closed at teardown
    request.addfinalizer(sockets.close)

    def open_socket(token: str, **auth):
        ws = sockets.enter_context(events_socket(base, token, **auth))
        return ws, ws.auth_reply["last_id"]

    ws, _ = open_socket(desk)
    doctor_ws, doctor_position = open_socket(doctor)
    doctor_ws.close()
    status, first = http("POST", f"{base}/api/appointments", booking(chen, patient), desk)
    assert status == 201, first
    position = until_quiet(ws)[-1]["id"]
    ws.close()

    # Missed: a booking (Dr. Patel's) and a cancellation (Dr. Chen's).
    status, missed = http(
        "POST", f"{base}/api/appointments", booking(patel, patient, start_time="11:00"), desk
    )
    assert status == 201, missed
    status, _ = http(
        "POST",
        f"{base}/api/appointments/{first['id']}/cancel",
        {"reason": "patient_cancelled"},
        desk,
    )
    assert status == 200

    ws, _ = open_socket(desk, after=position)
    replayed = until_quiet(ws)
    status, newer = http(
        "POST", f"{base}/api/appointments", booking(patel, patient, start_time="12:00"), desk
    )
    assert status == 201, newer
    live = until_quiet(ws)
    ws.close()
    doctor_ws, _ = open_socket(doctor, after=doctor_position)
    doctors_view = until_quiet(doctor_ws)
    doctor_ws.close()

    assert [m["event"] for m in replayed] == ["appointment:created", "appointment:cancelled"]
    assert replayed[0]["data"]["appointment"]["id"] == missed["id"]
    assert replayed[1]["data"]["appointment_id"] == first["id"]
    assert [m["event"] for m in live] == ["appointment:created"]
    assert live[0]["data"]["appointment"]["id"] == newer["id"]
    assert [parse_id(m["id"]) for m in replayed + live] == sorted(
        parse_id(m["id"]) for m in replayed + live
    )
    # Dr. Chen's own resume: their booking and its cancellation, nothing of Dr. Patel's.
    assert [m["event"] for m in doctors_view] == ["appointment:created", "appointment:cancelled"]
    assert {
        m["data"].get("appointment", {}).get("doctor_id", str(chen.id)) for m in doctors_view
    } == {str(chen.id)}


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_live_soak_reports_nothing_lost_on_a_real_server(server):
    """``manage.py live_soak`` against uvicorn with the demo clinic, briefly: every
    socket of every role hears its changes once and is never dropped."""
    base, _ = server
    call_command("demo", stdout=StringIO())
    report = StringIO()

    call_command(
        "live_soak", url=base, sockets=4, minutes=0.25, min_gap=5.5, max_gap=6.5, stdout=report
    )

    output = report.getvalue()
    assert "OK: no disconnects, nothing missed, doubled or foreign" in output, output
    assert output.count("appointment:") >= 2
