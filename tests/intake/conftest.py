"""Fixtures of the intake tests: a patient, a form with every field type, a visit far
in the future, links sent through the real service, a frozen clock, a recording SMS
sender and OpenAI mocked at the HTTP transport.

Sign in (``api(user)``) *after* freezing time: a session expires relative to "now".
"""

import json
import time
from datetime import datetime
from types import SimpleNamespace

import httpx
import openai._base_client
import pytest

from intake.services import intake_send
from tests.factories import AppointmentFactory, IntakeFormTemplateFactory, PatientFactory
from tests.intake import helpers
from tests.intake.helpers import MONDAY


def _no_real_openai(request):
    raise AssertionError(f"A test tried to reach OpenAI for real: {request.url}")


@pytest.fixture(autouse=True)
def _offline_summaries(settings, monkeypatch):
    """Every intake test starts on the local summarizer, and any OpenAI call that a
    test did not mock fails it instead of leaving the machine. A summary gets one
    try, so a failure is final at once; test_summary_retries.py tries again."""
    settings.OPENAI_API_KEY = ""
    settings.SUMMARY_MAX_ATTEMPTS = 1
    monkeypatch.setattr(
        "intake.summaries.build_http_client",
        lambda: httpx.Client(transport=httpx.MockTransport(_no_real_openai)),
    )


@pytest.fixture
def patient(clinic):
    return PatientFactory(
        clinic=clinic,
        first_name="Annabel",
        last_name="Quistgaard",
        email="annabel.q@example.org",
        phone="+1 555 010 4477",
    )


@pytest.fixture
def template(clinic):
    return IntakeFormTemplateFactory(
        clinic=clinic,
        name="New Patient Intake",
        description="A few questions before your visit.",
        fields=helpers.fields(),
    )


@pytest.fixture
def appointment(doctor, patient):
    """Ann's visit with Dr. Chen, Monday 2030-01-07 at 10:00 New York time."""
    return AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=MONDAY)


@pytest.fixture
def send_link(admin):
    """``send_link(appointment, template)`` sends through the service; returns the raw token."""

    def send(appointment, template) -> str:
        url, _ = intake_send(appointment=appointment, template=template, by=admin)
        return helpers.raw_token(url)

    return send


@pytest.fixture
def link(send_link, appointment, template) -> str:
    """The raw token of a fresh link for ``appointment``."""
    return send_link(appointment, template)


@pytest.fixture
def freeze(monkeypatch):
    """``freeze(moment)`` makes ``timezone.now()`` return that aware moment."""

    def at(moment: datetime) -> datetime:
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return moment

    return at


@pytest.fixture
def sms_outbox(settings):
    """Points settings.SMS_SENDER at a recorder; the list of (phone, message) sent."""
    settings.SMS_SENDER = "tests.intake.helpers.record_sms"
    helpers.SENT_SMS.clear()
    yield helpers.SENT_SMS
    helpers.SENT_SMS.clear()


def structured(*bullets: tuple[str, str, list[str]]) -> str:
    """A model's structured reply: (topic, text, field keys) per bullet."""
    return json.dumps(
        {"bullets": [{"topic": t, "text": x, "field_keys": k} for t, x, k in bullets]}
    )


# A reply that keeps what matters of helpers.ANSWERS.
FAITHFUL = structured(
    ("chief_complaint", "Chief complaint: Zorblax rash on the left elbow since March", ["reason"]),
    ("medications", "Medications: Quintaprilex 5mg daily", ["medications"]),
    ("allergies", "Allergies: Glimmerberry pollen", ["allergies"]),
    ("history", "History: asthma, hypertension; former smoker", ["conditions", "smoker"]),
)
FAITHFUL_TEXT = (
    "• Chief complaint: Zorblax rash on the left elbow since March\n"
    "• Medications: Quintaprilex 5mg daily\n"
    "• Allergies: Glimmerberry pollen\n"
    "• History: asthma, hypertension; former smoker"
)


def completion(content: str | None = FAITHFUL, **message) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, **message},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class FakeOpenAI:
    """The OpenAI API behind an ``httpx.MockTransport``.

    ``replies`` are served in order (the last one repeats): an ``httpx.Response``,
    or a callable taking the request (which may raise, e.g. ``httpx.ReadTimeout``).
    ``requests`` holds what the SDK sent: method, url, headers, json, timeout.
    """

    def __init__(self):
        self.replies: list = [httpx.Response(200, json=completion())]
        self.requests: list[SimpleNamespace] = []
        self.sleeps: list[float] = []

    def reply(self, *replies) -> None:
        self.replies = list(replies)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(
            SimpleNamespace(
                method=request.method,
                url=request.url,
                headers=request.headers,
                json=json.loads(request.content),
                timeout=request.extensions.get("timeout", {}),
            )
        )
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(request) if callable(reply) else reply


@pytest.fixture
def openai_api(settings, monkeypatch):
    """OPENAI_API_KEY set and the SDK's HTTP client on a mocked transport; nothing
    leaves the machine. The SDK's back-off sleeps are recorded, not slept."""
    settings.OPENAI_API_KEY = "sk-test-intake-0123456789"
    settings.OPENAI_MODEL = "gpt-test-model"
    settings.OPENAI_BASE_URL = None
    settings.OPENAI_MAX_RETRIES = 0
    settings.OPENAI_TIMEOUT_SECONDS = 7
    fake = FakeOpenAI()
    monkeypatch.setattr(
        "intake.summaries.build_http_client",
        lambda: httpx.Client(transport=httpx.MockTransport(fake.handle)),
    )
    monkeypatch.setattr(
        openai._base_client, "time", SimpleNamespace(sleep=fake.sleeps.append, time=time.time)
    )
    return fake
