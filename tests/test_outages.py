"""When Redis is down: sign-in and the patient's intake keep working (throttles
count in memory).

Redis is stopped for real: a private ``redis-server`` per test (tests/redis_server.py),
never the machine's shared one.
"""

import logging
import socket
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from clinicflow import throttles
from intake import pages
from intake.services import intake_send
from tests.factories import PASSWORD, AppointmentFactory, IntakeFormTemplateFactory, PatientFactory
from tests.intake.helpers import MONDAY, answers, fields, page_url, public_url
from tests.redis_server import private_redis_server

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/api/auth/login"
REFRESH = "/api/auth/refresh"
# What the patient typed: it must never reach a log.
SECRET_ANSWER = "Glimmerberry pollen"


def login(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", **extra)


def timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


@contextmanager
def blackhole():
    """A port that accepts connections (the kernel's backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


@pytest.fixture
def intake_link(clinic, doctor, admin):
    """A fresh link (its raw token) for a visit far in the future."""
    patient = PatientFactory(clinic=clinic, first_name="Annabel")
    template = IntakeFormTemplateFactory(clinic=clinic, name="New Patient Intake", fields=fields())
    appointment = AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=MONDAY)
    url, _ = intake_send(appointment=appointment, template=template, by=admin)
    return url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.OPENAI_API_KEY = ""


# Throttles without Redis --------------------------------------------------------------


@pytest.fixture
def redis_server():
    yield from private_redis_server()


@pytest.fixture
def shared_cache(settings, redis_server):
    """The cache (and so every throttle) on the private Redis, with the project's own
    timeouts; the throttles' memory and health start fresh."""
    original = settings.CACHES
    options = original["default"].get("OPTIONS", {})
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {
                "socket_connect_timeout": options.get("socket_connect_timeout", 2),
                "socket_timeout": options.get("socket_timeout", 1),
            },
        }
    }
    throttles.shared_cache.reset()
    throttles.local_counters.clear()
    yield redis_server
    settings.CACHES = original  # before the suite's own teardown clears the cache
    throttles.shared_cache.reset()
    throttles.local_counters.clear()


def throttle_keys(server) -> list[bytes]:
    client = server.client()
    try:
        return client.keys("*throttle_*")
    finally:
        client.close()


def warnings_from(caplog, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and r.levelno == logging.WARNING]


def test_sign_in_refresh_and_intake_keep_answering_when_redis_dies(
    anon, admin, intake_link, shared_cache, caplog
):
    assert login(anon, admin.email).status_code == 200
    assert throttle_keys(shared_cache)  # counted in Redis while it answers

    shared_cache.stop()
    caplog.set_level(logging.WARNING)

    answered = {}
    response, answered["login"] = timed(login, anon, admin.email)
    assert response.status_code == 200, response.content
    refresh = response.json()["refresh"]
    response, answered["wrong password"] = timed(login, anon, admin.email, "not-the-password")
    assert response.status_code == 401, response.content
    response, answered["refresh"] = timed(anon.post, REFRESH, {"refresh": refresh}, format="json")
    assert response.status_code == 200, response.content
    response, answered["page"] = timed(Client().get, page_url(intake_link))
    assert response.status_code == 200
    assert "New Patient Intake" in response.content.decode()
    response, answered["form"] = timed(anon.get, public_url(intake_link))
    assert response.status_code == 200, response.content
    response, answered["submit"] = timed(
        anon.post,
        public_url(intake_link),
        {"responses": answers(allergies=SECRET_ANSWER)},
        format="json",
    )
    assert response.status_code == 201, response.content
    response = Client().get(page_url(intake_link))
    assert response.status_code == 409
    assert "We already have your answers" in response.content.decode()

    assert max(answered.values()) < 2, answered
    said = warnings_from(caplog, "clinicflow.throttles")
    assert len(said) == 1  # once, however many requests
    assert "ConnectionError" in said[0].getMessage()
    assert all(SECRET_ANSWER not in r.getMessage() for r in caplog.records)


def test_throttles_still_limit_in_memory_while_redis_is_down(anon, admin, shared_cache):
    shared_cache.stop()

    for n in range(5):  # LOGIN_RATE_PER_EMAIL: 5/min
        response = login(anon, admin.email, "wrong", REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 401, response.content
    response = login(anon, admin.email, REMOTE_ADDR="10.0.0.99")

    assert response.status_code == 429, response.content
    assert response.json()["code"] == "throttled"


def test_the_intake_page_and_api_still_limit_in_memory_while_redis_is_down(db, shared_cache):
    shared_cache.stop()
    client = Client()
    rate = int(api_settings.DEFAULT_THROTTLE_RATES["public_intake"].split("/")[0])

    statuses = [client.get(page_url(f"unknown-link-{n:04d}")).status_code for n in range(rate)]
    page = client.get(page_url("unknown-link-last"))
    api = APIClient().get(public_url("unknown-link-last"))

    assert set(statuses) == {404}
    assert page.status_code == 429
    assert "Too many attempts" in page.content.decode()
    assert api.status_code == 429  # the page and the API count together, as with Redis


def test_a_frozen_redis_costs_one_slow_request_not_every_one(anon, admin, shared_cache):
    assert login(anon, admin.email).status_code == 200  # a pooled connection to Redis
    shared_cache.freeze()

    first, first_took = timed(login, anon, admin.email)
    later = [timed(login, anon, admin.email, REMOTE_ADDR=f"10.2.0.{n}") for n in range(3)]

    assert first.status_code == 200, first.content
    assert first_took < 2.5  # REDIS_CACHE_TIMEOUT (1 s) once, then memory
    assert [response.status_code for response, _ in later] == [200, 200, 200]
    assert max(took for _, took in later) < 1, later


def test_counting_goes_back_to_redis_once_it_answers_again(anon, admin, shared_cache, monkeypatch):
    monkeypatch.setattr(throttles, "FALLBACK_SECONDS", 0)  # retry the cache at once
    shared_cache.stop()
    assert login(anon, admin.email).status_code == 200

    shared_cache.start()  # an empty Redis on the same port
    response = login(anon, admin.email)

    assert response.status_code == 200, response.content
    assert throttle_keys(shared_cache)


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def test_every_throttle_falls_back_to_memory():
    """A throttle that reads the shared cache without the fallback would lock
    patients and staff out again whenever Redis is down."""
    used = {pages.ScopedRateThrottle}
    used |= set(api_settings.DEFAULT_THROTTLE_CLASSES)
    for callback in _views(get_resolver().url_patterns):
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        used |= set(getattr(view, "throttle_classes", None) or [])

    assert len(used) >= 4  # login per IP and per email, refresh, public intake
    assert [c for c in used if not issubclass(c, throttles.SharedCacheFallback)] == []
