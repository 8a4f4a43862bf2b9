"""What an operator touches: health probes, the schema, settings, commands, /admin/."""

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.contrib import admin as django_admin
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import ClinicSettings, Role, User
from clinicflow.logs import RedactIntakeTokens

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_when_the_database_answers(client, db):
    response = client.get("/readyz/")

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_is_503_when_redis_does_not_answer(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "error"}


@pytest.mark.redis
def test_readyz_checks_redis_when_configured(client, db, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


def test_schema_is_openapi_3_and_documents_error_answers(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    patient = schema["paths"]["/api/patients/{id}"]["get"]["responses"]
    assert {"200", "401", "403", "404"} <= set(patient)
    login = schema["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"200", "400", "429"} <= set(login)
    assert "bearerAuth" in schema["components"]["securitySchemes"]


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    """The served OpenAPI schema, generated once for the module (~1.5 s each time)."""
    with django_db_blocker.unblock():
        return yaml.safe_load(Client().get("/api/schema/").content)


def _properties(schema, component):
    return schema["components"]["schemas"][component]["properties"]


HHMM = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "09:30"}


def test_schema_documents_times_as_hh_mm_not_format_time(schema):
    """Swagger's own example for ``format: time`` (17:45:37.470Z) is refused."""
    times = [
        _properties(schema, "Appointment")["start_time"],
        _properties(schema, "BookInputRequest")["start_time"],
        _properties(schema, "RescheduleInputRequest")["new_time"],
        _properties(schema, "Hours")["start"],
        _properties(schema, "AppointmentRef")["time"],
        _properties(schema, "GridAppointment")["end_time"],
        _properties(schema, "Slot")["start"],
    ]
    for documented in times:
        assert {k: documented.get(k) for k in HHMM} == HHMM
    assert "format: time" not in yaml.safe_dump(schema)


def test_schema_documents_validation_errors_as_drf_field_map(schema):
    body = schema["paths"]["/api/patients"]["post"]["responses"]["400"]["content"]
    documented = body["application/json"]["schema"]
    assert "required" not in documented
    assert documented["additionalProperties"]
    assert {"detail", "code", "non_field_errors"} <= set(documented["properties"])


def test_schema_documents_page_bounds_and_invalid_page(schema):
    operation = schema["paths"]["/api/patients"]["get"]
    params = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert params["page"]["minimum"] == 1
    assert params["page_size"]["minimum"] == 1
    assert "404" in operation["responses"]  # "Invalid page."


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/api/auth/login", "post", "401"),
        ("/api/auth/refresh", "post", "401"),
        ("/api/schedule/available", "get", "404"),
        ("/api/schedule/available", "get", "400"),
        ("/api/dashboard/admin/summary", "get", "400"),
        ("/api/metrics/appointments", "get", "400"),
        ("/api/auth/me", "get", "400"),  # unknown query parameters
    ],
)
def test_schema_documents_the_answers_the_endpoint_gives(schema, path, method, status):
    assert status in schema["paths"][path][method]["responses"]


def test_schema_documents_patch_beside_every_partial_put(schema):
    for path, operations in schema["paths"].items():
        if "put" in operations:
            assert "patch" in operations, path
            body = operations["put"]["requestBody"]
            assert body["required"] is True, path
            assert body == operations["patch"]["requestBody"], path


def test_schema_generates_without_warnings():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            os.devnull,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_swagger_ui_is_served_without_a_cdn(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"cdn." not in response.content
    assert b"drf_spectacular_sidecar" in response.content


def test_unknown_api_path_is_json_404(client, db):
    response = client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_create_clinic_makes_clinic_settings_and_first_admin(db):
    call_command(
        "create_clinic",
        name="Lakeside Clinic",
        timezone="Europe/Lisbon",
        admin_email="Boss@Lakeside.test",
        admin_password="a-long-enough-passphrase",
    )

    admin = User.objects.select_related("clinic").get(email="boss@lakeside.test")
    assert admin.role == Role.ADMIN
    assert admin.clinic.name == "Lakeside Clinic"
    assert admin.clinic.timezone == "Europe/Lisbon"
    assert admin.check_password("a-long-enough-passphrase")
    assert ClinicSettings.objects.filter(clinic=admin.clinic).exists()
    assert admin.clinic.phone == ""


def test_create_clinic_takes_the_phone_patients_are_told_to_call(db):
    call_command(
        "create_clinic",
        name="Lakeside Clinic",
        timezone="Europe/Lisbon",
        admin_email="boss@lakeside.test",
        admin_password="a-long-enough-passphrase",
        phone=" +351 21 000 0000 ",
    )

    assert User.objects.get(email="boss@lakeside.test").clinic.phone == "+351 21 000 0000"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"admin_password": "123"}, "admin_password"),
        ({"admin_email": "admin@clinic.test"}, "already exists"),
    ],
)
def test_create_clinic_refuses_bad_input_and_writes_nothing(admin, options, message):
    arguments = {
        "name": "Lakeside Clinic",
        "timezone": "Europe/Lisbon",
        "admin_email": "boss@lakeside.test",
        "admin_password": "a-long-enough-passphrase",
        **options,
    }

    with pytest.raises(CommandError, match=message):
        call_command("create_clinic", **arguments)

    assert not User.objects.filter(clinic__name="Lakeside Clinic").exists()


def _manage(*args, env_overrides=None):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "HTTPS"}}
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DEBUG": "0",
            "SECRET_KEY": "k3y-" + "x8Fq2LmZ9vR4tW7yB1nC6dH0jK5pS3gA" * 2,
            "ALLOWED_HOSTS": "clinicflow.example.com",
        },
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("REDIS_URL", "localhost:6379"),
        ("SECRET_KEY", "short"),
        ("MAX_REQUEST_BYTES", "lots"),
        ("CLINICFLOW_DEFAULT_TIMEZONE", "Mars/Olympus"),
    ],
)
def test_bad_configuration_fails_at_start_naming_the_variable(variable, value):
    result = _manage("check", env_overrides={variable: value})

    assert result.returncode != 0
    assert variable in result.stderr


def test_every_model_is_in_the_admin():
    ours = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "patients", "scheduling", "intake", "notes"}
    ]

    assert ours
    assert [m for m in ours if not django_admin.site.is_registered(m)] == []


def test_admin_changelists_render_with_search(client, admin, doctor):
    operator = User.objects.create_superuser("ops@clinicflow.test", "an-operator-passphrase")
    client.force_login(operator)

    for model in django_admin.site._registry:
        if model._meta.app_label not in {"accounts", "patients", "scheduling", "intake", "notes"}:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"q": "chen"})
        assert response.status_code == 200, url


def test_logs_never_carry_an_intake_link_secret(client, db, caplog):
    """Django logs the path of a 404; the link's secret is redacted on the way out."""
    secret = "s3cr3t-Token_value-that-is-long-enough"
    caplog.handler.addFilter(RedactIntakeTokens())

    client.get(f"/api/public/intake/{secret}")

    assert caplog.records
    assert all(secret not in record.getMessage() for record in caplog.records)
    assert any("/intake/[redacted]" in record.getMessage() for record in caplog.records)
    configured = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    assert any(isinstance(f, RedactIntakeTokens) for h in configured for f in h.filters)


@pytest.mark.parametrize(
    ("arguments", "environment", "expected"),
    [
        (["PORT=9000"], {}, "CLINICFLOW_PUBLIC_URL=http://127.0.0.1:9000"),
        (["HOST=0.0.0.0", "PORT=8001"], {}, "CLINICFLOW_PUBLIC_URL=http://127.0.0.1:8001"),
        (
            ["PORT=9000"],
            {"CLINICFLOW_PUBLIC_URL": "https://intake.example.org"},
            "CLINICFLOW_PUBLIC_URL=https://intake.example.org",
        ),
    ],
)
def test_make_run_links_intake_to_the_address_it_serves(arguments, environment, expected):
    """`make run PORT=9000` must not send patients links to :8000."""
    env = {k: v for k, v in os.environ.items() if k != "CLINICFLOW_PUBLIC_URL"} | environment
    plan = subprocess.run(
        [shutil.which("make") or "/usr/bin/make", "--no-print-directory", "-n", "run", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout

    assert expected in plan


@pytest.mark.parametrize(
    ("timeout", "retries", "starts"),
    [("20", "2", True), ("24", "2", True), ("120", "5", False), ("25", "2", False)],
)
def test_an_openai_budget_that_outlasts_the_job_refuses_to_start(timeout, retries, starts):
    """One try of the OpenAI client must fit well inside the RQ job's timeout, or a
    slow upstream holds the worker and dies of JobTimeoutException."""
    result = _manage(
        "check",
        env_overrides={"OPENAI_TIMEOUT_SECONDS": timeout, "OPENAI_MAX_RETRIES": retries},
    )

    assert (result.returncode == 0) is starts, result.stderr
    if not starts:
        assert "keep it under 90 s" in result.stderr
