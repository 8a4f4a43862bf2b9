"""Soaks a running server's live updates: sockets for every role stay open while an
admin books and cancels at random intervals, and each socket's events are checked
against what it should have heard.

    make run &                                   # or the full stack (REDIS_URL)
    manage.py live_soak --sockets 20 --minutes 2

It talks to the server only over HTTP and WebSockets, as the frontend does, with
the demo's accounts (``manage.py demo``). A socket the server closes reconnects
with ``after`` and counts as one disconnect. Exits 1 unless every socket has 0
disconnects, 0 events missed and 0 doubled.
"""

import json
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

DEMO_PASSWORD = "demo1234"  # fixtures/generate_demo.py
ROLES = [
    ("admin", "admin@demo.com"),
    ("doctor", "dr.chen@demo.com"),
    ("doctor", "dr.patel@demo.com"),
    ("owner", "owner@demo.com"),
]
WATCHED = ("appointment:created", "appointment:cancelled")


def _http(base: str, method: str, path: str, body=None, token=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@dataclass
class Listener:
    """One socket: what it heard, and how often the server dropped it."""

    name: str
    role: str
    token: str
    doctor_id: str | None
    ws_url: str
    heard: list = field(default_factory=list)
    disconnects: int = 0
    last_id: str | None = None
    ready: threading.Event = field(default_factory=threading.Event)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            auth = {"type": "auth", "token": self.token}
            if self.last_id is not None:
                auth["after"] = self.last_id
            try:
                with connect(self.ws_url, open_timeout=5, close_timeout=2) as ws:
                    ws.send(json.dumps(auth))
                    reply = json.loads(ws.recv(timeout=5))
                    if reply.get("type") != "auth.ok":
                        raise CommandError(f"{self.name}: sign-in refused: {reply}")
                    self.last_id = self.last_id or reply["last_id"]
                    self.ready.set()
                    while not stop.is_set():
                        try:
                            message = json.loads(ws.recv(timeout=0.5))
                        except TimeoutError:
                            continue
                        if "id" in message:
                            self.last_id = message["id"]
                            self.heard.append(message)
            except (ConnectionClosed, OSError):
                if not stop.is_set():
                    self.disconnects += 1
                    time.sleep(0.5)


class Command(BaseCommand):
    help = "Holds live-update sockets of every role open while bookings happen; reports losses."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--sockets", type=int, default=20)
        parser.add_argument("--minutes", type=float, default=2.0)
        parser.add_argument("--min-gap", type=float, default=5.5, help="seconds between changes")
        parser.add_argument("--max-gap", type=float, default=15.0)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options):
        base = options["url"].rstrip("/")
        rng = random.Random(options["seed"])  # noqa: S311 (timing and choices, not secrets)
        tokens, doctors = {}, {}
        for _role, email in ROLES:
            status, body = _http(
                base, "POST", "/api/auth/login", {"email": email, "password": DEMO_PASSWORD}
            )
            if status != 200:
                raise CommandError(f"Sign-in as {email} failed ({status}): is the demo loaded?")
            tokens[email] = body["token"]
            doctors[email] = body["user"]["doctor_id"]
        admin = tokens["admin@demo.com"]

        ws_url = base.replace("http", "ws", 1) + "/ws/events/"
        listeners = []
        for number in range(options["sockets"]):
            role, email = ROLES[number % len(ROLES)]
            listeners.append(
                Listener(f"{role}-{number}", role, tokens[email], doctors[email], ws_url)
            )
        stop = threading.Event()
        threads = [
            threading.Thread(target=listener.run, args=(stop,), daemon=True)
            for listener in listeners
        ]
        for thread in threads:
            thread.start()
        for listener in listeners:
            if not listener.ready.wait(10):
                raise CommandError(f"{listener.name} did not connect")

        changes = []  # (event, appointment id, doctor id)
        booked = []
        deadline = time.monotonic() + options["minutes"] * 60
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(options["min_gap"], options["max_gap"]))
            if booked and rng.random() < 0.4:
                appointment = booked.pop(rng.randrange(len(booked)))
                path = f"/api/appointments/{appointment['id']}/cancel"
                status, body = _http(base, "POST", path, {"reason": "patient_cancelled"}, admin)
                if status != 200:
                    raise CommandError(f"Cancel failed ({status}): {body}")
                changes.append(("appointment:cancelled", appointment["id"], appointment["doctor"]))
            else:
                appointment = self._book(base, admin, rng, [d for d in doctors.values() if d])
                booked.append(appointment)
                changes.append(("appointment:created", appointment["id"], appointment["doctor"]))
            self.stdout.write(f"{changes[-1][0]} {changes[-1][1]}")
        time.sleep(3)  # the last events on their way
        stop.set()
        for thread in threads:
            thread.join(5)
        self._report(listeners, changes)

    def _book(self, base, admin, rng, doctor_ids) -> dict:
        doctor_id = rng.choice(doctor_ids)
        for offset in range(1, 30):
            day = (date.today() + timedelta(days=offset)).isoformat()
            status, body = _http(
                base,
                "GET",
                f"/api/schedule/available?doctor_id={doctor_id}&date={day}",
                token=admin,
            )
            if status == 200 and body["slots"]:
                slot = rng.choice(body["slots"])
                status, patients = _http(base, "GET", "/api/patients?page_size=50", token=admin)
                patient = rng.choice(patients["results"])
                booking = {
                    "doctor_id": doctor_id,
                    "patient_id": patient["id"],
                    "scheduled_date": day,
                    "start_time": slot["start"],
                    "visit_type": "in_clinic",
                    "intake_path": "skip",
                }
                status, body = _http(base, "POST", "/api/appointments", booking, admin)
                if status == 201:
                    return {"id": body["id"], "doctor": doctor_id}
        raise CommandError("No free slot found in the next 30 days.")

    def _report(self, listeners, changes) -> None:
        self.stdout.write(f"\n{len(changes)} changes; per socket:")
        self.stdout.write(
            f"{'socket':<12} {'heard':>6} {'missed':>7} {'doubled':>8} {'foreign':>8} {'drops':>6}"
        )
        failed = False
        for listener in listeners:
            missed, doubled, foreign = self._tally(listener, changes)
            failed |= bool(missed or doubled or foreign or listener.disconnects)
            self.stdout.write(
                f"{listener.name:<12} {len(listener.heard):>6} {missed:>7} {doubled:>8} "
                f"{foreign:>8} {listener.disconnects:>6}"
            )
        if failed:
            self.stdout.write("FAILED")
            raise SystemExit(1)
        self.stdout.write("OK: no disconnects, nothing missed, doubled or foreign")

    @staticmethod
    def _tally(listener: Listener, changes) -> tuple[int, int, int]:
        """(missed, doubled, foreign) for one socket. Owners hear one count update
        per change; staff hear the changes of their scope (a doctor: their own)."""
        ids = [message["id"] for message in listener.heard]
        repeated_ids = len(ids) - len(set(ids))
        if listener.role == "owner":
            counts = sum(1 for m in listener.heard if m["event"] == "metrics:updated")
            other = sum(1 for m in listener.heard if m["event"] != "metrics:updated")
            return (
                max(0, len(changes) - counts),
                repeated_ids + max(0, counts - len(changes)),
                other,
            )
        expected = {
            (event, appointment)
            for event, appointment, doctor in changes
            if listener.role == "admin" or doctor == listener.doctor_id
        }
        got = [
            (
                m["event"],
                m["data"].get("appointment", {}).get("id", m["data"].get("appointment_id")),
            )
            for m in listener.heard
            if m["event"] in WATCHED
        ]
        return (
            len(expected - set(got)),
            repeated_ids + len(got) - len(set(got)),
            len(set(got) - expected),
        )
