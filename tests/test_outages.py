"""When PostgreSQL or Redis is down: sign-in and the patient's intake keep working
without Redis (throttles count in memory), outages answer 503 with ``Retry-After``
(JSON under /api/, a plain page elsewhere), bugs stay 500 (JSON under /api/), and
/readyz answers within 2 s whatever hangs.

Redis is stopped for real: a private ``redis-server`` per test (tests/redis_server.py),
never the machine's shared one.
"""

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import InterfaceError, OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from redis.backoff import NoBackoff
from redis.retry import Retry
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import User
from clinicflow import throttles
from clinicflow.outages import RETRY_AFTER_SECONDS
from intake import pages
from intake import services as intake_services
from intake.services import intake_send
from tests.factories import PASSWORD, AppointmentFactory, IntakeFormTemplateFactory, PatientFactory
from tests.intake.helpers import MONDAY, answers, fields, page_url, public_url
from tests.redis_server import free_port, private_redis_server

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


# The database down ----------------------------------------------------------------------


@contextmanager
def database_down(error=OperationalError):
    """Every use of a database connection raises ``error``, as when PostgreSQL is
    stopped (the test's own transaction is rolled back after the block, normally)."""

    def refuse(self):
        raise error('connection to server at "127.0.0.1", port 1 failed: Connection refused')

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
        yield


def assert_unavailable_json(response):
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The service is briefly unavailable. Please try again in a minute.",
        "code": "service_unavailable",
    }
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def assert_unavailable_page(response):
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store, private"
    html = response.content.decode()
    assert "try again in a minute" in html
    assert "<script" not in html  # self-contained: no script, style sheet or image
    assert "<link" not in html
    assert "<img" not in html


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_json_when_the_database_is_down(api, admin, intake_link, caplog, error):
    signed_in = api(admin)
    caplog.set_level(logging.INFO)

    with database_down(error):
        assert_unavailable_json(login(APIClient(), admin.email))
        assert_unavailable_json(signed_in.get("/api/patients"))  # fails in authentication
        assert_unavailable_json(APIClient().get(public_url(intake_link)))
        assert_unavailable_json(
            APIClient().post(
                public_url(intake_link),
                {"responses": answers(allergies=SECRET_ANSWER)},
                format="json",
            )
        )

    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in logged] == ["clinicflow.outages"] * 4  # once per request
    assert all(r.levelno == logging.ERROR for r in logged)
    assert all(f"django.db.utils.{error.__name__}" in r.getMessage() for r in logged)
    assert all(r.exc_info is None for r in logged)  # an outage, not a bug: no traceback
    assert all(SECRET_ANSWER not in r.getMessage() for r in caplog.records)


def test_the_intake_page_and_admin_answer_a_plain_503_page_when_the_database_is_down(
    client, intake_link
):
    operator = User.objects.create_superuser("ops@clinicflow.test", "an-operator-passphrase")
    client.force_login(operator)

    with database_down():
        page = client.get(page_url(intake_link))
        posted = client.post(page_url(intake_link), {"allergies": SECRET_ANSWER})
        admin_page = client.get("/admin/")

    assert_unavailable_page(page)
    assert_unavailable_page(posted)
    assert_unavailable_page(admin_page)
    assert page["Referrer-Policy"] == "no-referrer"


def test_an_outage_outside_any_view_answers_503_too(db, monkeypatch):
    """A session middleware (or any other) that cannot reach the database: the
    answer comes from handler500, still a 503."""

    def refuse(self, request):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(SessionMiddleware, "process_request", refuse)
    client = Client(raise_request_exception=False)

    assert_unavailable_json(client.get("/api/patients"))
    assert_unavailable_page(client.get("/admin/"))


def test_redis_unreachable_inside_a_request_answers_503(anon, admin, monkeypatch, caplog):
    def sign_in_needing_redis(**kwargs):
        redis.Redis(port=free_port(), retry=Retry(NoBackoff(), 0)).ping()

    monkeypatch.setattr(account_services, "auth_login", sign_in_needing_redis)
    caplog.set_level(logging.WARNING)

    assert_unavailable_json(login(anon, admin.email))
    (said,) = [r for r in caplog.records if r.name == "clinicflow.outages"]
    assert "redis.exceptions.ConnectionError" in said.getMessage()


@pytest.mark.postgres
def test_a_statement_past_the_timeout_answers_503(anon, admin, settings, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        configured = settings.DB_STATEMENT_TIMEOUT_SECONDS
        assert cursor.fetchone()[0] == (f"{configured}s" if configured else "0")

    def slow_sign_in(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 100")
            cursor.execute("SELECT pg_sleep(2)")

    monkeypatch.setattr(account_services, "auth_login", slow_sign_in)

    response, took = timed(login, anon, admin.email)

    assert_unavailable_json(response)
    assert took < 1.5


@pytest.fixture
def unreachable_database():
    """``point(port, connect_timeout)`` sends the next connections to ``port``. The
    test's connection is closed first and reopened, on the real port, afterwards."""
    conn = connection
    original = dict(conn.settings_dict)

    def point(port, connect_timeout=None):
        conn.close()
        conn.settings_dict["PORT"] = port
        if connect_timeout is not None:
            conn.settings_dict["OPTIONS"] = {
                **original["OPTIONS"],
                "connect_timeout": connect_timeout,
            }

    yield point
    conn.close()
    conn.settings_dict.clear()
    conn.settings_dict.update(original)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_stopped_postgresql_answers_503_at_once(admin, intake_link, unreachable_database):
    unreachable_database(free_port())  # nothing listens: connection refused

    api, api_took = timed(login, APIClient(), admin.email)
    page, page_took = timed(Client().get, page_url(intake_link))

    assert_unavailable_json(api)
    assert_unavailable_page(page)
    assert max(api_took, page_took) < 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_that_never_answers_costs_the_connect_timeout_then_503(
    admin, unreachable_database
):
    with blackhole() as port:
        unreachable_database(port, connect_timeout=2)

        response, took = timed(login, APIClient(), admin.email)

    assert_unavailable_json(response)
    assert 1.5 < took < 4


# Database timeouts ----------------------------------------------------------------------


def load_settings(code: str, **env) -> subprocess.CompletedProcess:
    """Runs ``code`` after loading settings.py in a fresh process under ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    environ.update(env, DJANGO_SETTINGS_MODULE="clinicflow.settings")
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; {code}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def database_options(**env) -> dict:
    """``DATABASES["default"]["OPTIONS"]`` as settings.py builds it under ``env``."""
    result = load_settings(
        "import json; print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}),"
        " default=str))",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


POSTGRES_URL = "postgres://clinicflow@db.invalid:5432/clinicflow"


@pytest.mark.parametrize(
    ("env", "connect_timeout", "options"),
    [
        ({}, 5, "-c statement_timeout=30000"),
        (
            {"DB_CONNECT_TIMEOUT_SECONDS": "3", "DB_STATEMENT_TIMEOUT_SECONDS": "10"},
            3,
            "-c statement_timeout=10000",
        ),
        ({"DB_STATEMENT_TIMEOUT_SECONDS": "0"}, 5, None),
        (
            # The URL's own values win: its -c comes last.
            {"DATABASE_URL": POSTGRES_URL + "?connect_timeout=9&options=-c%20lock_timeout%3D1000"},
            9,
            "-c statement_timeout=30000 -c lock_timeout=1000",
        ),
    ],
)
def test_postgresql_gets_a_connect_and_a_statement_timeout(env, connect_timeout, options):
    built = database_options(**{"DATABASE_URL": POSTGRES_URL, **env})

    assert int(built["connect_timeout"]) == connect_timeout
    assert built.get("options") == options


def test_sqlite_keeps_its_own_options():
    built = database_options(DATABASE_URL="")

    assert "connect_timeout" not in built
    assert "options" not in built


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DB_CONNECT_TIMEOUT_SECONDS", "1"), ("DB_STATEMENT_TIMEOUT_SECONDS", "soon")],
)
def test_bad_database_timeouts_fail_at_start_naming_the_variable(variable, value):
    result = load_settings("settings.DATABASES", DATABASE_URL=POSTGRES_URL, **{variable: value})

    assert result.returncode != 0
    assert variable in result.stderr


# Bugs stay 500s ---------------------------------------------------------------------------


def test_a_bug_in_an_api_view_answers_500_json_and_is_logged(anon, admin, monkeypatch, caplog):
    def broken(**kwargs):
        raise ZeroDivisionError("a genuine bug")

    monkeypatch.setattr(account_services, "auth_login", broken)
    anon.raise_request_exception = False

    response = login(anon, admin.email)

    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. It has been logged.",
        "code": "server_error",
    }
    (logged,) = [r for r in caplog.records if r.name == "django.request"]
    assert logged.levelno == logging.ERROR
    assert logged.exc_info[0] is ZeroDivisionError


def test_a_bug_outside_any_view_answers_500_json_under_the_api(db, monkeypatch):
    def broken(self, request):
        raise KeyError("a genuine bug")

    monkeypatch.setattr(SessionMiddleware, "process_request", broken)
    client = Client(raise_request_exception=False)

    api = client.get("/api/patients")
    page = client.get("/admin/")

    assert api.status_code == 500
    assert api.json()["code"] == "server_error"
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


def test_a_bug_in_the_intake_page_is_a_500_page(intake_link, monkeypatch):
    def broken(**kwargs):
        raise ValueError("a genuine bug")

    monkeypatch.setattr(intake_services, "intake_open", broken)

    response = Client(raise_request_exception=False).get(page_url(intake_link))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_a_bug_still_raises_in_tests(anon, admin, monkeypatch):
    """The test client keeps raising a view's bug (nothing swallows it)."""

    def broken(**kwargs):
        raise ZeroDivisionError("a genuine bug")

    monkeypatch.setattr(account_services, "auth_login", broken)

    with pytest.raises(ZeroDivisionError):
        login(anon, admin.email)


# /readyz within 2 s -----------------------------------------------------------------------


def readyz():
    return timed(Client().get, "/readyz")


def test_readyz_answers_503_within_2_s_when_redis_never_answers(db, settings):
    with blackhole() as port:
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"

        response, took = readyz()

    assert took < 2
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] in {"error", "timeout"}
    assert body["code"] == "service_unavailable"
    assert "redis" in body["detail"]


def test_readyz_answers_503_when_the_database_is_unreachable(db, monkeypatch, tmp_path):
    if connection.vendor == "postgresql":
        monkeypatch.setitem(connection.settings_dict, "PORT", free_port())
    else:
        monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "no" / "db.sqlite3"))

    response, took = readyz()

    assert took < 2
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


@pytest.mark.postgres
def test_readyz_answers_503_within_2_s_when_nothing_answers(db, settings, monkeypatch):
    """PostgreSQL and Redis both accept connections and never answer: both checks run
    at once, each is cut at the deadline, and a second probe waits on the first
    probe's checks instead of starting more."""
    with blackhole() as db_port, blackhole() as redis_port:
        monkeypatch.setitem(connection.settings_dict, "PORT", db_port)
        settings.REDIS_URL = f"redis://127.0.0.1:{redis_port}/0"

        first, first_took = readyz()
        second, second_took = readyz()
        checking = [t for t in threading.enumerate() if t.name == "readyz-database"]

    assert first_took < 2
    assert second_took < 2
    assert first.status_code == second.status_code == 503
    assert first.json()["checks"]["database"] == "timeout"
    assert first.json()["checks"]["redis"] in {"error", "timeout"}
    assert len(checking) <= 1
