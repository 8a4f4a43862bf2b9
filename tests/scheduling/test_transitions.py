"""The status machine (contract §6), through PUT {status} and the actions."""

from datetime import time

import pytest

from scheduling.models import Appointment, Cancellation
from tests.scheduling.helpers import (
    MONDAY,
    STATUSES,
    TUESDAY,
    appointment,
    appointment_url,
    assert_error,
    assert_field_error,
    clinic_rules,
    doctor_rules,
    local,
    parse,
)

LEGAL = {
    ("unconfirmed", "confirmed"),
    ("unconfirmed", "arrived"),
    ("unconfirmed", "cancelled"),
    ("unconfirmed", "no_show"),
    ("confirmed", "arrived"),
    ("confirmed", "cancelled"),
    ("confirmed", "no_show"),
    ("arrived", "in_progress"),
    ("in_progress", "completed"),
}


def request_transition(client, appt, target: str, via: str):
    """Asks for ``target`` the way the frontend would: PUT {status}, or the action."""
    if via == "put":
        return client.put(appointment_url(appt), {"status": target})
    if target == "confirmed":
        return client.post(appointment_url(appt, "confirm"))
    if target == "arrived":
        return client.post(appointment_url(appt, "arrived"))
    if target == "cancelled":
        # Ten minutes after the start: inside the notice, which the admin overrides.
        return client.post(
            appointment_url(appt, "cancel"), {"reason": "patient_cancelled", "force": True}
        )
    if target == "no_show":
        return client.post(appointment_url(appt, "cancel"), {"reason": "no_show"})
    raise AssertionError(f"no action for {target}")


def _matrix():
    for source in STATUSES:
        for target in STATUSES:
            if target in ("confirmed", "arrived"):
                yield source, target, "action"
                yield source, target, "put"
            elif target in ("cancelled", "no_show"):
                yield source, target, "action"
            else:
                yield source, target, "put"


@pytest.fixture
def at_the_visit(freeze):
    """Monday 10:10 in New York: ten minutes into a 10:00 visit."""
    return freeze(MONDAY, "10:10")


@pytest.mark.parametrize(("source", "target", "via"), list(_matrix()))
def test_status_machine(api, admin, doctor, patient, at_the_visit, source, target, via):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", status=source)

    response = request_transition(api(admin), appt, target, via)

    appt.refresh_from_db()
    if (source, target) in LEGAL:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == target
        assert appt.status == target
    else:
        body = assert_error(response, 409, "invalid_transition")
        assert body["status"] == source
        assert appt.status == source
        assert not Cancellation.objects.exists()


def test_arriving_records_when(api, admin, doctor, patient, at_the_visit):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", status="confirmed")

    response = api(admin).post(appointment_url(appt, "arrived"))

    assert response.status_code == 200, response.content
    assert response.json()["arrived"] is True
    assert parse(response.json()["arrived_at"]) == at_the_visit


def test_a_walk_in_may_arrive_unconfirmed(api, admin, doctor, patient, at_the_visit):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", status="unconfirmed")

    response = api(admin).post(appointment_url(appt, "arrived"))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "arrived"


def test_the_visit_runs_from_arrival_to_completion(api, admin, doctor, patient, at_the_visit):
    client = api(admin)
    appt = appointment(doctor, patient, day=MONDAY, at="10:00")

    steps = [
        client.post(appointment_url(appt, "confirm")),
        client.post(appointment_url(appt, "arrived")),
        client.put(appointment_url(appt), {"status": "in_progress"}),
        client.put(appointment_url(appt), {"status": "completed"}),
    ]

    assert [r.status_code for r in steps] == [200, 200, 200, 200]
    assert [r.json()["status"] for r in steps] == [
        "confirmed",
        "arrived",
        "in_progress",
        "completed",
    ]


@pytest.mark.parametrize("day", [TUESDAY, MONDAY.replace(day=4)])
def test_a_patient_can_only_arrive_on_the_day_of_the_visit(
    api, admin, doctor, patient, freeze, day
):
    freeze(MONDAY, "10:10")
    appt = appointment(doctor, patient, day=day, at="10:00", status="confirmed")

    response = api(admin).post(appointment_url(appt, "arrived"))

    assert_error(response, 400, "not_today")
    appt.refresh_from_db()
    assert appt.status == "confirmed"


def test_the_day_of_the_visit_is_the_clinics_day(api, admin, doctor, patient, freeze):
    # 21:30 Monday in New York is already Tuesday in UTC.
    freeze(MONDAY, "21:30")
    client = api(admin)
    monday = appointment(doctor, patient, day=MONDAY, at="16:00", status="confirmed")
    tuesday = appointment(doctor, patient, day=TUESDAY, at="09:00", status="confirmed")

    assert client.post(appointment_url(monday, "arrived")).status_code == 200
    assert_error(client.post(appointment_url(tuesday, "arrived")), 400, "not_today")


@pytest.mark.parametrize("target", ["cancelled", "no_show"])
def test_put_cannot_cancel_and_points_to_the_cancel_action(
    api, admin, doctor, patient, at_the_visit, target
):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00")

    response = api(admin).put(appointment_url(appt), {"status": target})

    messages = assert_field_error(response, "status")
    assert "cancel" in " ".join(messages).lower()
    appt.refresh_from_db()
    assert appt.status == "unconfirmed"
    assert not Cancellation.objects.exists()


def test_an_unknown_status_is_a_400(api, admin, doctor, patient):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00")

    assert_field_error(api(admin).put(appointment_url(appt), {"status": "done"}), "status")


# Details through PUT ------------------------------------------------------------------------


def test_admin_edits_the_details_of_a_visit(api, admin, doctor, patient):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00")

    response = api(admin).put(
        appointment_url(appt),
        {
            "visit_reason": "Follow-up on labs",
            "visit_type": "virtual",
            "visit_category": "follow_up",
            "intake_path": "skip",
            "meeting_link": "https://meet.example.org/abc",
            "needs_attention": True,
            "attention_reason": "Call back",
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["visit_reason"] == "Follow-up on labs"
    assert body["visit_type"] == "virtual"
    assert body["intake_path"] == "skip"
    assert body["meeting_link"] == "https://meet.example.org/abc"
    assert (body["needs_attention"], body["attention_reason"]) == (True, "Call back")
    appt.refresh_from_db()
    assert appt.visit_reason == "Follow-up on labs"
    assert (appt.start_time, appt.starts_at) == (time(10, 0), local(MONDAY, "10:00"))


def test_put_changes_only_what_it_is_sent(api, admin, doctor, patient):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", visit_type="in_clinic")

    response = api(admin).put(appointment_url(appt), {"visit_reason": "Rash"})

    assert response.status_code == 200, response.content
    assert response.json()["visit_type"] == "in_clinic"
    assert response.json()["status"] == "unconfirmed"


def test_put_refuses_a_visit_type_the_doctor_does_not_offer(api, admin, doctor, patient):
    doctor_rules(doctor, supported_visit_types=["in_clinic"])
    appt = appointment(doctor, patient, day=MONDAY, at="10:00")

    response = api(admin).put(appointment_url(appt), {"visit_type": "virtual"})

    assert_error(response, 400, "visit_type_not_offered")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("visit_type", "house_call"),
        ("visit_category", "walk_in"),
        ("intake_path", "fax"),
        ("meeting_link", "not a url"),
        ("needs_attention", "sometimes"),
        ("attention_reason", "x" * 101),
    ],
)
def test_put_with_a_bad_value_names_the_field(api, admin, doctor, patient, field, value):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00")

    assert_field_error(api(admin).put(appointment_url(appt), {field: value}), field)


def test_put_cannot_move_the_visit(api, admin, doctor, patient):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00")

    api(admin).put(appointment_url(appt), {"scheduled_date": "2030-01-08", "start_time": "11:00"})

    appt.refresh_from_db()
    assert (appt.scheduled_date, appt.starts_at) == (MONDAY, local(MONDAY, "10:00"))


# Intake done by hand -------------------------------------------------------------------------


def test_admin_marks_intake_complete(api, admin, doctor, patient):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", intake_status="sent")

    response = api(admin).post(appointment_url(appt, "intake-complete"))

    assert response.status_code == 200, response.content
    assert response.json()["intake_status"] == "completed"


def test_intake_cannot_be_completed_twice(api, admin, doctor, patient):
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", intake_status="completed")

    response = api(admin).post(appointment_url(appt, "intake-complete"))

    assert_error(response, 409, "intake_already_completed")


def test_intake_by_hand_needs_the_clinics_permission(api, admin, clinic, doctor, patient):
    clinic_rules(clinic, allow_manual_completion=False)
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", intake_status="sent")

    response = api(admin).post(appointment_url(appt, "intake-complete"))

    assert_error(response, 400, "manual_completion_disabled")
    assert Appointment.objects.get(pk=appt.pk).intake_status == "sent"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_refused_status_change_leaves_the_details_unchanged(api, admin, doctor, patient, method):
    """One request, one transaction: the details and the status change together or
    not at all (the detail edit used to commit before the status was refused)."""
    appt = appointment(doctor, patient)

    response = getattr(api(admin), method)(
        appointment_url(appt), {"visit_reason": "New reason", "status": "completed"}
    )

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invalid_transition"
    appt.refresh_from_db()
    assert (appt.status, appt.visit_reason) == ("unconfirmed", "Annual check-up")


def test_clearing_the_attention_flag_clears_its_reason(api, admin, doctor, patient):
    appt = appointment(doctor, patient, needs_attention=True, attention_reason="Call back")

    response = api(admin).patch(appointment_url(appt), {"needs_attention": False})

    assert response.status_code == 200, response.content
    assert (response.json()["needs_attention"], response.json()["attention_reason"]) == (
        False,
        "",
    )
    kept = api(admin).patch(
        appointment_url(appt), {"needs_attention": True, "attention_reason": "Insurance"}
    )
    assert kept.json()["attention_reason"] == "Insurance"
