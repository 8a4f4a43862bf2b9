"""Each clinic setting changes what the API does: one test per setting, changed
through its settings endpoint and observed where the clinic would notice it.

Settings the backend only stores for the frontend round-trip, and the API schema
says so.
"""

from datetime import UTC, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Session
from scheduling.models import Appointment, Cancellation
from tests.factories import (
    PASSWORD,
    AppointmentFactory,
    IntakeFormTemplateFactory,
    UserFactory,
)
from tests.settings.helpers import (
    DEFAULTS,
    MONDAY,
    SATURDAY,
    SETTINGS,
    appointment_url,
    assert_error,
    assert_field_error,
    available,
    book,
    put_settings,
    starts,
)


@pytest.fixture
def visit(doctor, patient):
    """Ann's visit with Dr. Chen, Monday 2030-01-07 10:00-10:30 New York, unconfirmed,
    intake not sent."""
    return AppointmentFactory(
        doctor=doctor.doctor, patient=patient, scheduled_date=MONDAY, start_time=time(10, 0)
    )


def minutes(slot) -> float:
    start = datetime.fromisoformat(slot["starts_at"])
    end = datetime.fromisoformat(slot["ends_at"])
    return (end - start) / timedelta(minutes=1)


# Clinic profile, days and hours ------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "first", "last", "count"),
    [
        (15, ["09:00", "09:15", "09:30"], "16:45", 32),
        (30, ["09:00", "09:30", "10:00"], "16:30", 16),
        (45, ["09:00", "09:45", "10:30"], "15:45", 10),
    ],
)
def test_slot_size_sets_the_length_of_available_slots(api, admin, doctor, size, first, last, count):
    client = api(admin)
    put_settings(client, "clinic", slot_size=size)

    body = available(client, doctor.doctor)

    assert body["slot_minutes"] == size
    assert starts(body)[:3] == first
    assert (starts(body)[-1], len(body["slots"])) == (last, count)
    assert {minutes(slot) for slot in body["slots"]} == {size}


def test_clinic_hours_bound_availability_and_bookings(api, admin, doctor, patient):
    client = api(admin)
    put_settings(client, "clinic", clinic_hours={"start": "08:00", "end": "10:00"})

    slots = starts(available(client, doctor.doctor))
    late = book(client, doctor.doctor, patient, start_time="10:00")
    early = book(client, doctor.doctor, patient, start_time="08:00")

    assert slots == ["08:00", "08:30", "09:00", "09:30"]
    body = assert_error(late, 400, "outside_hours")
    assert body["working_hours"] == {"start": "08:00", "end": "10:00"}
    assert early.status_code == 201, early.content


def test_a_closed_working_day_has_no_slots_and_refuses_bookings(api, admin, doctor, patient):
    client = api(admin)
    days = {**DEFAULTS["clinic"]["working_days"], "monday": False, "saturday": True}
    put_settings(client, "clinic", working_days=days)

    monday = available(client, doctor.doctor, MONDAY)
    saturday = available(client, doctor.doctor, SATURDAY)
    refused = book(client, doctor.doctor, patient)
    accepted = book(client, doctor.doctor, patient, scheduled_date=SATURDAY.isoformat())

    assert monday["slots"] == []
    assert starts(saturday)[0] == "09:00"
    assert_error(refused, 400, "closed_day")
    assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize(
    ("zone", "offset"), [("America/New_York", "-05:00"), ("Asia/Tokyo", "+09:00")]
)
def test_the_time_zone_sets_the_offset_of_slots(api, admin, doctor, zone, offset):
    client = api(admin)
    put_settings(client, "clinic", timezone=zone)

    first = available(client, doctor.doctor)["slots"][0]

    assert first["start"] == "09:00"
    assert first["starts_at"] == f"2030-01-07T09:00:00{offset}"


@pytest.mark.parametrize(
    ("zone", "today"), [("America/New_York", "2030-01-07"), ("Asia/Tokyo", "2030-01-08")]
)
def test_the_time_zone_decides_what_today_is(api, admin, doctor, freeze, zone, today):
    """20:00 UTC on Monday is Monday afternoon in New York, Tuesday morning in Tokyo."""
    freeze(datetime(2030, 1, 7, 20, 0, tzinfo=UTC))
    client = api(admin)
    put_settings(client, "clinic", timezone=zone)

    body = available(client, doctor.doctor, day=None)
    grid = client.get("/api/schedule/grid").json()

    assert body["date"] == today
    assert grid["date"] == today


@pytest.mark.parametrize("timeout", [30, 480])
def test_session_timeout_sets_how_long_a_new_session_lasts(anon, api, admin, timeout):
    put_settings(api(admin), "clinic", session_timeout=timeout)

    response = anon.post(
        "/api/auth/login", {"email": admin.email, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200, response.content
    refresh = RefreshToken(response.json()["refresh"])
    session = Session.objects.get(pk=refresh["sid"])
    assert session.expires_at - session.created_at == pytest.approx(
        timedelta(minutes=timeout), abs=timedelta(seconds=5)
    )
    assert refresh["exp"] <= session.expires_at.timestamp() + 1


# Scheduling rules ------------------------------------------------------------------


@pytest.mark.parametrize(("allow", "status"), [(False, 409), (True, 201)])
def test_allow_overlapping_books_over_another_visit_without_force(
    api, admin, doctor, patient, visit, allow, status
):
    client = api(admin)
    put_settings(client, "scheduling", allow_overlapping=allow)

    response = book(client, doctor.doctor, patient, start_time="10:15")

    assert response.status_code == status, response.content
    if allow:
        assert response.json()["overlap_allowed"] is True
    else:
        assert response.json()["code"] == "slot_conflict"


@pytest.mark.parametrize(("allow", "status"), [(True, 201), (False, 409)])
def test_allow_admin_override_decides_whether_force_books_over_a_conflict(
    api, admin, doctor, patient, visit, allow, status
):
    client = api(admin)
    put_settings(client, "scheduling", allow_admin_override=allow)

    response = book(client, doctor.doctor, patient, start_time="10:00", force=True)

    assert response.status_code == status, response.content
    if not allow:
        assert response.json()["code"] == "slot_conflict"
    assert Appointment.objects.filter(doctor=doctor.doctor).count() == (2 if allow else 1)


@pytest.mark.parametrize(("allow", "status"), [(True, 200), (False, 400)])
def test_allow_admin_override_decides_whether_force_cancels_inside_the_notice(
    api, admin, visit, freeze, allow, status
):
    freeze(MONDAY, "09:45")
    client = api(admin)
    put_settings(client, "scheduling", allow_admin_override=allow)

    response = client.post(
        appointment_url(visit, "cancel"), {"reason": "patient_cancelled", "force": True}
    )

    assert response.status_code == status, response.content
    if not allow:
        assert response.json()["code"] == "short_notice"


@pytest.mark.parametrize(("notice", "status"), [(60, 400), (15, 200)])
def test_minimum_cancellation_notice_refuses_late_cancellations(
    api, admin, visit, freeze, notice, status
):
    freeze(MONDAY, "09:30")
    client = api(admin)
    put_settings(client, "scheduling", minimum_cancellation_notice=notice)

    response = client.post(appointment_url(visit, "cancel"), {"reason": "patient_cancelled"})

    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["code"] == "short_notice"
        assert Cancellation.objects.count() == 0
    else:
        assert response.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "reason"), ({"reason": "other"}, "note"), ({"reason": "other", "note": "  "}, "note")],
)
def test_cancellation_reason_required_asks_for_a_reason_and_a_note(api, admin, visit, body, field):
    response = api(admin).post(appointment_url(visit, "cancel"), body)

    assert_field_error(response, field)
    assert Appointment.objects.get(pk=visit.pk).status == "unconfirmed"


@pytest.mark.parametrize("body", [{}, {"reason": "other"}])
def test_without_cancellation_reason_required_a_bare_cancel_is_accepted(api, admin, visit, body):
    client = api(admin)
    put_settings(client, "scheduling", cancellation_reason_required=False)

    response = client.post(appointment_url(visit, "cancel"), body)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert Cancellation.objects.get(appointment=visit).cancellation_type == "other"


@pytest.mark.parametrize(
    ("threshold", "at", "marked"),
    [(15, "10:20", True), (30, "10:20", False), (30, "10:31", True)],
)
def test_auto_no_show_threshold_decides_when_a_visit_becomes_a_no_show(
    api, admin, visit, freeze, threshold, at, marked
):
    freeze(MONDAY, "08:00")
    put_settings(api(admin), "scheduling", auto_no_show_threshold=threshold)
    freeze(MONDAY, at)

    call_command("mark_no_shows", stdout=StringIO())

    status = Appointment.objects.get(pk=visit.pk).status
    assert status == ("no_show" if marked else "unconfirmed")
    assert (
        Cancellation.objects.filter(appointment=visit, cancellation_type="no_show").exists()
        is marked
    )


# Intake rules ------------------------------------------------------------------------


@pytest.mark.parametrize(("required", "missing"), [(True, 1), (False, 0)])
def test_intake_required_decides_whether_missing_intake_is_counted(
    api, admin, visit, required, missing
):
    client = api(admin)
    put_settings(client, "intake", intake_required=required)

    summary = client.get("/api/dashboard/admin/summary", {"date": MONDAY.isoformat()}).json()

    assert summary["total_appointments"] == 1
    assert summary["missing_intake"] == missing


@pytest.mark.parametrize(
    ("lock", "intake_status", "status", "code"),
    [
        (True, "not_sent", 409, "intake_missing"),
        (True, "sent", 409, "intake_missing"),
        (True, "completed", 200, None),
        (False, "not_sent", 200, None),
    ],
)
def test_lock_appointment_if_missing_refuses_check_in_without_intake(
    api, admin, visit, freeze, lock, intake_status, status, code
):
    Appointment.objects.filter(pk=visit.pk).update(intake_status=intake_status)
    freeze(MONDAY, "09:50")
    client = api(admin)
    put_settings(client, "intake", lock_appointment_if_missing=lock)

    response = client.post(appointment_url(visit, "arrived"))

    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code
        assert Appointment.objects.get(pk=visit.pk).status == "unconfirmed"
    else:
        assert response.json()["status"] == "arrived"


@pytest.mark.parametrize(("allow", "status"), [(True, 200), (False, 400)])
def test_allow_manual_completion_decides_whether_intake_can_be_marked_done(
    api, admin, visit, allow, status
):
    client = api(admin)
    put_settings(client, "intake", allow_manual_completion=allow)

    response = client.post(appointment_url(visit, "intake-complete"))

    assert response.status_code == status, response.content
    if allow:
        assert response.json()["intake_status"] == "completed"
    else:
        assert response.json()["code"] == "manual_completion_disabled"
        assert Appointment.objects.get(pk=visit.pk).intake_status == "not_sent"


@pytest.mark.parametrize(
    ("path", "intake_path", "intake_status"),
    [("automatic", "send_now", "sent"), ("manual", "send_later", "not_sent")],
)
def test_intake_delivery_path_sets_a_bookings_default_intake_path(
    api, admin, clinic, doctor, patient, path, intake_path, intake_status
):
    IntakeFormTemplateFactory(clinic=clinic)
    client = api(admin)
    put_settings(client, "intake", intake_delivery_path=path)

    response = book(client, doctor.doctor, patient, intake_path=...)

    assert response.status_code == 201, response.content
    assert response.json()["intake_path"] == intake_path
    assert response.json()["intake_status"] == intake_status


def test_ask_every_time_makes_a_booking_name_its_intake_path(api, admin, doctor, patient):
    client = api(admin)
    put_settings(client, "intake", intake_delivery_path="ask_every_time")

    refused = book(client, doctor.doctor, patient, intake_path=...)
    accepted = book(client, doctor.doctor, patient, intake_path="send_later")

    assert_field_error(refused, "intake_path")
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["intake_path"] == "send_later"


# Notifications by email ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "emailed"),
    [
        ({}, False),
        ({"notify_via_email": True}, True),
        ({"notify_via_email": True, "notify_cancellations": False}, False),
    ],
)
def test_notify_via_email_emails_the_clinics_admins_about_a_cancellation(
    api,
    admin,
    clinic,
    outsider_admin,
    visit,
    mailoutbox,
    django_capture_on_commit_callbacks,
    changes,
    emailed,
):
    second = UserFactory(clinic=clinic, role="admin", email="desk@clinic.test")
    UserFactory(clinic=clinic, role="admin", email="gone@clinic.test", is_active=False)
    client = api(admin)
    if changes:
        put_settings(client, "notifications", **changes)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(appointment_url(visit, "cancel"), {"reason": "patient_cancelled"})

    assert response.status_code == 200, response.content
    if not emailed:
        assert mailoutbox == []
        return
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == sorted([admin.email, second.email])
    assert "Cancellation" in mailoutbox[0].subject
    assert "Ann Smith" in mailoutbox[0].body


def test_notify_via_email_covers_no_shows_when_they_are_announced(
    api, admin, clinic, doctor, patient, mailoutbox, django_capture_on_commit_callbacks, freeze
):
    visit = AppointmentFactory(
        doctor=doctor.doctor, patient=patient, scheduled_date=MONDAY, start_time=time(10, 0)
    )
    freeze(MONDAY, "10:20")
    client = api(admin)
    put_settings(client, "notifications", notify_via_email=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(appointment_url(visit, "cancel"), {"reason": "no_show"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "no_show"
    assert [mail.subject.split(":")[0] for mail in mailoutbox] == ["No-show"]


# Stored for the frontend ---------------------------------------------------------------

FRONTEND_ONLY = {
    "clinic": {
        "date_format": "DD/MM/YYYY",
        "time_format": "24h",
        "default_dashboard_view": "patients",
        "auto_refresh_interval": 120,
    },
    "scheduling": {"require_provider": False},
}


@pytest.mark.parametrize("group", list(FRONTEND_ONLY))
def test_frontend_settings_round_trip(api, admin, group):
    client = api(admin)

    stored = put_settings(client, group, **FRONTEND_ONLY[group])

    assert stored.items() >= FRONTEND_ONLY[group].items()
    assert client.get(SETTINGS[group]).json().items() >= FRONTEND_ONLY[group].items()


def _operation_schema(schema: dict, path: str, method: str) -> dict:
    """The component a path's request or 200 response points at, resolved."""
    operation = schema["paths"][path][method]
    if method == "get":
        content = operation["responses"]["200"]["content"]
    else:
        content = operation["requestBody"]["content"]
    ref = content["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


@pytest.fixture
def schema(api, admin) -> dict:
    response = api(admin).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("method", ["get", "put"])
@pytest.mark.parametrize("group", list(SETTINGS))
def test_the_schema_documents_each_settings_groups_own_keys(schema, group, method):
    component = _operation_schema(schema, SETTINGS[group], method)

    keys = set(DEFAULTS[group]) | ({"name", "timezone", "phone"} if group == "clinic" else set())
    assert set(component["properties"]) == keys


@pytest.mark.parametrize("method", ["get", "put"])
@pytest.mark.parametrize("group", list(FRONTEND_ONLY))
def test_the_schema_says_which_settings_are_only_stored_for_the_frontend(schema, group, method):
    properties = _operation_schema(schema, SETTINGS[group], method)["properties"]

    described = {
        key: properties.get(key, {}).get("description", "") for key in FRONTEND_ONLY[group]
    }
    assert all("Stored for the frontend" in text for text in described.values()), described


# allow_walk_ins (clinic) and allows_walkins (doctor) ---------------------------------


@pytest.mark.parametrize(
    ("clinic_allows", "doctor_allows", "status"),
    [(True, True, 201), (False, True, 400), (True, False, 400)],
)
def test_walk_ins_need_the_clinic_and_the_doctor_to_take_them(
    api, admin, doctor, patient, freeze, clinic_allows, doctor_allows, status
):
    freeze(MONDAY, "10:07")
    client = api(admin)
    put_settings(client, "scheduling", allow_walk_ins=clinic_allows)
    doctor.doctor.settings.allow_walk_ins = doctor_allows
    doctor.doctor.settings.save()

    response = book(
        client, doctor.doctor, patient, walk_in=True, scheduled_date=..., start_time=...
    )

    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        assert body["scheduled_date"] == MONDAY.isoformat()
        assert body["start_time"] == "10:07"
        assert body["status"] == "arrived"
        assert body["arrived"] is True
    else:
        assert response.json()["code"] == "walk_ins_disabled"


def test_a_booking_that_is_not_a_walk_in_needs_its_date_and_time(api, admin, doctor, patient):
    response = book(api(admin), doctor.doctor, patient, scheduled_date=..., start_time=...)

    assert response.status_code == 400
    assert set(response.json()) == {"scheduled_date", "start_time"}
