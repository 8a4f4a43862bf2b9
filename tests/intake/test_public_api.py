"""The patient's side of the API: ``/api/public/intake/<token>`` without an account.
404 unknown, 410 expired or replaced, 409 already submitted, 422 answers that do not
fit the form, 413 oversized, 429 too many tries."""

import asyncio
import json
import logging
from datetime import time, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from clinicflow.event_log import event_log
from clinicflow.events import admins_group, doctor_group
from intake.models import IntakeSubmission, IntakeToken
from scheduling.models import Appointment
from tests.factories import AppointmentFactory
from tests.intake.helpers import (
    ANSWERS,
    MONDAY,
    SECRETS,
    answers,
    assert_error,
    fields,
    public_url,
)

pytestmark = pytest.mark.django_db

PUBLIC_FORM_QUERIES = 1


def submit(client, token, responses, **extra):
    return client.post(public_url(token), {"responses": responses}, **extra)


# Reading the form -------------------------------------------------------------------------


def test_patient_sees_the_form_and_the_visit(anon, link, appointment):
    response = anon.get(public_url(link))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "patient_name",
        "clinic_name",
        "doctor_name",
        "appointment_date",
        "appointment_time",
        "expires_at",
        "form",
    }
    assert body["patient_name"] == "Annabel"
    assert body["clinic_name"] == "Downtown Family Medicine"
    assert body["doctor_name"] == "Dr. Chen"
    assert body["appointment_date"] == "2030-01-07"
    assert body["appointment_time"] == "10:00 AM"
    assert body["expires_at"]
    assert body["form"] == {
        "name": "New Patient Intake",
        "description": "A few questions before your visit.",
        "fields": fields(),
    }


def test_afternoon_times_read_like_a_clock(anon, doctor, patient, template, send_link):
    visit = AppointmentFactory(
        doctor=doctor.doctor, patient=patient, scheduled_date=MONDAY, start_time=time(14, 30)
    )
    token = send_link(visit, template)

    assert anon.get(public_url(token)).json()["appointment_time"] == "2:30 PM"


def test_public_form_reveals_no_other_personal_data(anon, link, patient):
    body = anon.get(public_url(link)).content.decode()

    for secret in (
        patient.last_name,
        patient.email,
        patient.phone,
        "1980-05-17",
        str(patient.pk),
        "dr.chen@clinic.test",
    ):
        assert secret not in body


def test_trailing_slash_works_too(anon, link):
    assert anon.get(f"{public_url(link)}/").status_code == 200


def test_public_form_needs_no_account_and_ignores_a_bad_one(anon, link):
    anon.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")

    assert anon.get(public_url(link)).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("A" * 43, id="well-formed but unknown"),
        pytest.param("abc", id="short"),
        pytest.param("x" * 128, id="longest allowed"),
    ],
)
def test_unknown_token_gets_404(anon, link, token):
    assert_error(anon.get(public_url(token)), 404, "token_not_found")
    assert_error(submit(anon, token, answers()), 404, "token_not_found")
    assert not IntakeSubmission.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("not.a.token", id="dots"),
        pytest.param("x" * 129, id="too long"),
        pytest.param("%20%27%3B--", id="quote and semicolon"),
        pytest.param("t%C3%B6ken", id="non-ascii"),
    ],
)
def test_syntactically_odd_token_gets_404(anon, link, token):
    response = anon.get(public_url(token))

    assert_error(response, 404)
    assert not IntakeSubmission.objects.exists()


def test_the_hash_of_a_token_is_not_a_token(anon, link):
    """The stored digest opens nothing: only the raw secret does."""
    stored = IntakeToken.objects.get().token

    assert_error(anon.get(public_url(stored)), 404, "token_not_found")


def test_link_is_expired_exactly_at_expires_at(anon, link, freeze):
    expires_at = IntakeToken.objects.get().expires_at

    freeze(expires_at - timedelta(seconds=1))
    assert anon.get(public_url(link)).status_code == 200

    freeze(expires_at)
    assert_error(anon.get(public_url(link)), 410, "token_expired")
    assert_error(submit(anon, link, answers()), 410, "token_expired")
    assert not IntakeSubmission.objects.exists()


def test_replaced_link_gets_410(anon, link, appointment, template, send_link):
    newer = send_link(appointment, template)

    assert_error(anon.get(public_url(link)), 410, "token_replaced")
    assert_error(submit(anon, link, answers()), 410, "token_replaced")
    assert submit(anon, newer, answers()).status_code == 201


def test_submitted_link_gets_409(anon, link):
    assert submit(anon, link, answers()).status_code == 201

    assert_error(anon.get(public_url(link)), 409, "already_submitted")
    assert_error(submit(anon, link, answers()), 409, "already_submitted")
    assert IntakeSubmission.objects.count() == 1


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_link_of_a_cancelled_appointment_gets_410_visit_cancelled(anon, link, appointment, status):
    Appointment.objects.filter(pk=appointment.pk).update(status=status)

    assert_error(anon.get(public_url(link)), 410, "visit_cancelled")
    assert_error(submit(anon, link, answers()), 410, "visit_cancelled")
    assert not IntakeSubmission.objects.exists()


@pytest.mark.parametrize("status", ["arrived", "in_progress", "completed"])
def test_link_of_a_visit_under_way_or_over_gets_410_visit_started(anon, link, appointment, status):
    Appointment.objects.filter(pk=appointment.pk).update(status=status)

    assert_error(anon.get(public_url(link)), 410, "visit_started")
    assert_error(submit(anon, link, answers()), 410, "visit_started")
    assert not IntakeSubmission.objects.exists()


def test_number_outside_the_fields_range_gets_422(anon, link, template):
    template.fields = [
        {"key": "pain", "label": "Pain (0-10)", "type": "number", "min": 0, "max": 10}
    ]
    template.save()

    body = assert_error(submit(anon, link, {"pain": 11}), 422, "invalid_answers")

    assert body["errors"] == {"pain": ["Enter a number from 0 to 10."]}
    assert submit(anon, link, {"pain": 10}).status_code == 201


def test_link_cancelled_through_the_api_stops_working(api, admin, anon, link, appointment):
    cancelled = api(admin).post(
        f"/api/appointments/{appointment.pk}/cancel", {"reason": "patient_cancelled"}
    )
    assert cancelled.status_code == 200, cancelled.content

    assert_error(anon.get(public_url(link)), 410)


def test_public_form_query_count(anon, link, django_assert_max_num_queries):
    with django_assert_max_num_queries(PUBLIC_FORM_QUERIES):
        assert anon.get(public_url(link)).status_code == 200


# Submitting -------------------------------------------------------------------------------


def test_patient_submits_answers(anon, link):
    response = submit(anon, link, answers())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["success"] is True
    assert isinstance(body["message"], str)
    assert body["message"]


def test_submission_saves_everything_and_summarizes_after_commit(
    anon, link, appointment, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(anon, link, answers())

    assert response.status_code == 201, response.content
    submission = IntakeSubmission.objects.get()
    assert submission.appointment == appointment
    assert submission.patient == appointment.patient
    assert submission.clinic == appointment.clinic
    assert submission.template == template
    assert submission.template_version == 1
    assert submission.template_fields == fields()
    assert submission.responses == ANSWERS
    assert submission.submitted_at is not None
    token = IntakeToken.objects.get()
    assert token.used_at is not None
    appointment.refresh_from_db()
    assert appointment.intake_status == "completed"
    assert submission.ai_summary_status == "ready"
    assert submission.ai_summary_source == "local"
    assert submission.ai_summary.startswith("• ")
    assert submission.ai_summary_generated_at is not None


def test_summary_waits_for_the_commit(anon, link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert submit(anon, link, answers()).status_code == 201

    assert callbacks
    submission = IntakeSubmission.objects.get()
    assert submission.ai_summary_status == "pending"
    assert submission.ai_summary == ""


def test_failing_summary_never_loses_the_submission(
    anon, link, appointment, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(fields, responses):
        raise RuntimeError("summarizer exploded")

    monkeypatch.setattr("intake.summaries.summarize_locally", broken)
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(anon, link, answers())

    assert response.status_code == 201, response.content
    submission = IntakeSubmission.objects.get()
    assert submission.responses == ANSWERS
    assert submission.ai_summary_status == "failed"
    assert submission.ai_summary_error
    assert submission.ai_summary == ""
    appointment.refresh_from_db()
    assert appointment.intake_status == "completed"
    for secret in SECRETS:
        assert secret not in caplog.text


async def _listen(groups: list[str]):
    layer = get_channel_layer()
    await layer.flush()
    channel = await layer.new_channel()
    for group in groups:
        await layer.group_add(group, channel)
    return layer, channel


async def _drain(layer, channel) -> list[dict]:
    messages = []
    while True:
        try:
            messages.append(await asyncio.wait_for(layer.receive(channel), 0.05))
        except TimeoutError:
            return messages


@pytest.mark.parametrize("audience", ["admins", "doctor"])
def test_intake_completed_event_goes_to_staff_without_answers(
    anon, link, appointment, audience, django_capture_on_commit_callbacks
):
    group = {
        "admins": admins_group(appointment.clinic_id),
        "doctor": doctor_group(appointment.doctor_id),
    }[audience]
    layer, channel = async_to_sync(_listen)([group])
    start = event_log().last_id(appointment.clinic_id)

    with django_capture_on_commit_callbacks(execute=True):
        assert submit(anon, link, answers()).status_code == 201

    pings = async_to_sync(_drain)(layer, channel)
    assert {"type": "event.logged"} in pings  # the group's sockets are told to read the log
    heard = [e for e in event_log().since(appointment.clinic_id, start) if e.heard_by([group])]
    completed = [e for e in heard if e.event == "intake:completed"]
    assert completed, heard
    assert all(e.data["appointment_id"] == str(appointment.pk) for e in completed)
    for secret in SECRETS:
        assert secret not in repr(heard)


def test_other_doctors_hear_nothing_of_the_intake(
    anon, link, other_doctor, django_capture_on_commit_callbacks
):
    group = doctor_group(other_doctor.doctor.id)
    layer, channel = async_to_sync(_listen)([group])
    start = event_log().last_id(other_doctor.clinic_id)

    with django_capture_on_commit_callbacks(execute=True):
        assert submit(anon, link, answers()).status_code == 201

    assert async_to_sync(_drain)(layer, channel) == []
    assert not [e for e in event_log().since(other_doctor.clinic_id, start) if e.heard_by([group])]


@pytest.mark.parametrize(
    "responses",
    [
        pytest.param(answers(), id="accepted"),
        pytest.param(answers(pain_level="Zorblax", consent=...), id="refused"),
    ],
)
def test_answers_are_never_logged_on_submit(
    anon, link, responses, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(anon, link, responses)

    assert response.status_code in (201, 422)
    for record in caplog.records:
        for secret in SECRETS:
            assert secret not in record.getMessage(), record.name
            assert secret not in str(record.args), record.name
    for secret in SECRETS:
        assert secret not in caplog.text


def test_optional_questions_may_be_left_out(anon, link):
    response = submit(anon, link, {"reason": "Rash", "consent": True})

    assert response.status_code == 201, response.content
    assert IntakeSubmission.objects.get().responses == {"reason": "Rash", "consent": True}


def test_answers_are_stored_trimmed(anon, link):
    response = submit(anon, link, answers(reason="  Rash  \n", allergies=" Pollen "))

    assert response.status_code == 201
    stored = IntakeSubmission.objects.get().responses
    assert stored["reason"] == "Rash"
    assert stored["allergies"] == "Pollen"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"reason": "x" * 5000}, id="textarea at 5000"),
        pytest.param({"allergies": "x" * 500}, id="text at 500"),
        pytest.param({"pain_level": 0}, id="number zero"),
        pytest.param({"pain_level": 7.5}, id="decimal number"),
        pytest.param({"conditions": []}, id="no conditions"),
        pytest.param({"last_checkup": "2024-02-29"}, id="leap day"),
    ],
)
def test_answers_at_the_edges_are_accepted(anon, link, changes):
    response = submit(anon, link, answers(**changes))

    assert response.status_code == 201, response.content


# (case, responses, the key that must carry a message)
INVALID = [
    ("missing required", answers(reason=...), "reason"),
    ("blank required", answers(reason="   "), "reason"),
    ("required checkbox unticked", answers(consent=False), "consent"),
    ("text given a number", answers(allergies=42), "allergies"),
    ("textarea given a list", answers(reason=["a"]), "reason"),
    ("number given abc", answers(pain_level="abc"), "pain_level"),
    ("number given a numeric string", answers(pain_level="4"), "pain_level"),
    ("number given a boolean", answers(pain_level=True), "pain_level"),
    ("date with month 13", answers(last_checkup="2024-13-01"), "last_checkup"),
    ("date in another format", answers(last_checkup="01/06/2029"), "last_checkup"),
    ("date given a number", answers(last_checkup=20240101), "last_checkup"),
    ("select value not in options", answers(smoker="Sometimes"), "smoker"),
    ("select given a list", answers(smoker=["Never"]), "smoker"),
    ("multiselect with an unknown option", answers(conditions=["Asthma", "Gout"]), "conditions"),
    ("multiselect given a string", answers(conditions="Asthma"), "conditions"),
    ("multiselect with a repeat", answers(conditions=["Asthma", "Asthma"]), "conditions"),
    ("checkbox given yes", answers(consent="yes"), "consent"),
    ("checkbox given 1", answers(consent=1), "consent"),
    ("text over 500", answers(allergies="x" * 501), "allergies"),
    ("textarea over 5000", answers(reason="x" * 5001), "reason"),
    ("unknown key", answers(favourite_colour="blue"), "favourite_colour"),
    ("responses a list", ["reason"], "responses"),
    ("responses a string", "Zorblax", "responses"),
    ("responses a number", 7, "responses"),
]


@pytest.mark.parametrize(
    ("responses", "key"),
    [pytest.param(responses, key, id=case) for case, responses, key in INVALID],
)
def test_invalid_answers_get_422_with_per_field_messages(anon, link, appointment, responses, key):
    response = submit(anon, link, responses)

    body = assert_error(response, 422, "invalid_answers")
    assert isinstance(body["errors"], dict), body
    assert key in body["errors"], body
    assert body["errors"][key], body
    assert all(isinstance(message, str) for message in body["errors"][key]), body
    assert not IntakeSubmission.objects.exists()
    assert IntakeToken.objects.get().used_at is None
    appointment.refresh_from_db()
    assert appointment.intake_status == "sent"


def test_every_bad_answer_is_reported_at_once(anon, link):
    response = submit(
        anon, link, answers(reason=..., pain_level="abc", smoker="Sometimes", consent="yes")
    )

    body = assert_error(response, 422, "invalid_answers")
    assert set(body["errors"]) == {"reason", "pain_level", "smoker", "consent"}


def test_invalid_answers_can_be_corrected(anon, link):
    assert submit(anon, link, answers(reason=...)).status_code == 422

    assert submit(anon, link, answers()).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no responses"),
        pytest.param({"responses": None}, id="null responses"),
        pytest.param({"answers": ANSWERS}, id="wrong name"),
    ],
)
def test_a_body_without_responses_gets_422(anon, link, body):
    """The public submit answers every validation problem with 422 (guide §5b)."""
    response = anon.post(public_url(link), body)

    body = assert_error(response, 422, "invalid_answers")
    assert "responses" in body["errors"], body
    assert not IntakeSubmission.objects.exists()


def test_a_body_that_is_not_json_is_refused(anon, link):
    response = anon.post(public_url(link), "responses=1", content_type="text/plain")

    assert response.status_code in (400, 415, 422), response.content
    assert not IntakeSubmission.objects.exists()


def test_body_over_the_limit_gets_413(anon, link, settings):
    settings.INTAKE_MAX_BODY_BYTES = 2048

    response = submit(anon, link, answers(reason="x" * 3000))

    assert_error(response, 413, "payload_too_large")
    assert not IntakeSubmission.objects.exists()
    assert IntakeToken.objects.get().used_at is None


def test_body_under_the_limit_is_accepted(anon, link, settings):
    settings.INTAKE_MAX_BODY_BYTES = 2048
    responses = answers(reason="x" * 1500)
    assert len(json.dumps({"responses": responses})) < 2048

    assert submit(anon, link, responses).status_code == 201


def test_public_intake_is_throttled_per_ip(anon, link):
    here = {"REMOTE_ADDR": "198.51.100.7"}
    statuses = [anon.get(public_url(link), **here).status_code for _ in range(30)]
    assert statuses == [200] * 30

    assert_error(anon.get(public_url(link), **here), 429, "throttled")
    assert_error(submit(anon, link, answers(), **here), 429)
    assert anon.get(public_url(link), REMOTE_ADDR="198.51.100.8").status_code == 200
    assert not IntakeSubmission.objects.exists()


def test_guessing_tokens_is_throttled(anon, link):
    here = {"REMOTE_ADDR": "203.0.113.9"}
    statuses = [anon.get(public_url(f"guess{n:040d}"), **here).status_code for n in range(31)]

    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
