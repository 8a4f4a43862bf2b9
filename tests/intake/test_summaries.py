"""The doctor's pre-visit summary: OpenAI (mocked at the HTTP transport) with the
guide's prompt, structured output, a timeout and retries; a local deterministic
summarizer without a key; an unusable reply falls back to the local summary;
failures marked ``failed`` without touching the answers; answers never logged.

What the check of a model's reply catches is in test_summary_checks.py, and the
cases both summarizers are scored on in test_summary_evaluation.py."""

import json
import logging

import httpx
import pytest

from intake.jobs import generate_summary_job
from intake.models import IntakeSubmission
from intake.summaries import summarize_locally
from tests.factories import AppointmentFactory, IntakeSubmissionFactory
from tests.intake.conftest import FAITHFUL_TEXT, completion, structured
from tests.intake.helpers import (
    ANSWERS,
    MONDAY,
    SECRETS,
    SUBMISSIONS,
    answers,
    fields,
    public_url,
)

pytestmark = pytest.mark.django_db

# The guide's prompt (§5), word for word, before the answers.
GUIDE_PROMPT = """You are a medical intake assistant. Summarize the following patient intake form responses for a doctor's pre-visit review.

Focus on:
- Chief complaint / reason for visit
- Current medications
- Allergies
- Relevant medical history
- Key concerns the patient mentioned

Keep the summary concise (3-5 bullet points).

Patient responses:
"""  # noqa: E501

RETRY_SOON = {"retry-after-ms": "1"}


@pytest.fixture
def submission(doctor, template):
    visit = AppointmentFactory(
        doctor=doctor.doctor, scheduled_date=MONDAY, intake_status="completed"
    )
    return IntakeSubmissionFactory(
        appointment=visit, template=template, template_fields=fields(), responses=dict(ANSWERS)
    )


def summarize(submission) -> IntakeSubmission:
    generate_summary_job(str(submission.pk))
    submission.refresh_from_db()
    return submission


def assert_answers_never_logged(caplog) -> None:
    for record in caplog.records:
        text = " ".join(
            [record.getMessage(), str(record.args), str(record.exc_text), str(record.exc_info)]
        )
        for secret in (*SECRETS, "sk-test-intake"):
            assert secret not in text, f"{record.name}: {record.getMessage()}"
    for secret in SECRETS:
        assert secret not in caplog.text


def timeout(request):
    raise httpx.ReadTimeout("read timed out", request=request)


# OpenAI -----------------------------------------------------------------------------------


def test_openai_writes_the_summary(submission, openai_api, caplog):
    caplog.set_level(logging.DEBUG)

    summary = summarize(submission)

    assert summary.ai_summary_status == "ready"
    assert summary.ai_summary_source == "openai"
    assert summary.ai_summary == FAITHFUL_TEXT
    assert summary.ai_summary_needs_review is False
    assert [(s["bullet"], s["topic"], s["field_keys"]) for s in summary.ai_summary_sources] == [
        (
            "Chief complaint: Zorblax rash on the left elbow since March",
            "chief_complaint",
            ["reason"],
        ),
        ("Medications: Quintaprilex 5mg daily", "medications", ["medications"]),
        ("Allergies: Glimmerberry pollen", "allergies", ["allergies"]),
        ("History: asthma, hypertension; former smoker", "history", ["smoker", "conditions"]),
    ]
    assert summary.ai_summary_generated_at is not None
    assert summary.ai_summary_error == ""
    assert summary.responses == ANSWERS
    assert_answers_never_logged(caplog)


def test_openai_gets_the_guides_prompt_with_the_answers(submission, openai_api):
    summarize(submission)

    [sent] = openai_api.requests
    assert sent.method == "POST"
    assert sent.url.host == "api.openai.com"
    assert sent.url.path.endswith("/chat/completions")
    assert sent.headers["authorization"] == "Bearer sk-test-intake-0123456789"
    assert sent.json["model"] == "gpt-test-model"
    assert sent.json["max_tokens"] == 500
    system, message = sent.json["messages"]
    assert system["role"] == "system"
    assert "only what the responses say" in system["content"]
    assert message["role"] == "user"
    assert message["content"].startswith(GUIDE_PROMPT)
    for value in ("Zorblax rash", "Quintaprilex 5mg", "Glimmerberry pollen", "Asthma"):
        assert value in message["content"]


def test_openai_is_asked_for_bullets_with_their_sources(submission, openai_api):
    summarize(submission)

    [sent] = openai_api.requests
    response_format = sent.json["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    bullet = response_format["json_schema"]["schema"]["properties"]["bullets"]["items"]
    assert bullet["required"] == ["topic", "text", "field_keys"]
    assert "allergies" in bullet["properties"]["topic"]["enum"]
    # Each answer goes with its key, so the model can cite it.
    content = sent.json["messages"][1]["content"]
    assert '"allergies": {' in content
    assert '"topic": "allergies"' in content


def test_every_answer_reaches_openai_even_when_labels_repeat(doctor, template, openai_api):
    """Two questions may share a label ("Details"); neither answer may be dropped."""
    repeated = [
        {"key": "reason", "label": "Reason for visit", "type": "text", "required": True},
        {"key": "pain_details", "label": "Details", "type": "text"},
        {"key": "med_details", "label": "Details", "type": "text"},
    ]
    visit = AppointmentFactory(doctor=doctor.doctor, scheduled_date=MONDAY)
    submission = IntakeSubmissionFactory(
        appointment=visit,
        template=template,
        template_fields=repeated,
        responses={"reason": "Rash", "pain_details": "Throbbing", "med_details": "Ibuprofen"},
    )

    summarize(submission)

    [sent] = openai_api.requests
    content = sent.json["messages"][1]["content"]
    assert "Throbbing" in content
    assert "Ibuprofen" in content


def test_openai_is_called_with_the_configured_timeout(submission, openai_api):
    summarize(submission)

    [sent] = openai_api.requests
    assert sent.timeout
    assert all(0 < seconds <= 7 for seconds in sent.timeout.values() if seconds is not None)


def test_rate_limit_then_success_is_ready_after_a_retry(submission, openai_api, settings, caplog):
    settings.OPENAI_MAX_RETRIES = 2
    openai_api.reply(
        httpx.Response(429, json={"error": {"message": "slow down"}}, headers=RETRY_SOON),
        httpx.Response(200, json=completion()),
    )
    caplog.set_level(logging.DEBUG)

    summary = summarize(submission)

    assert len(openai_api.requests) == 2
    assert summary.ai_summary_status == "ready"
    assert summary.ai_summary == FAITHFUL_TEXT
    assert summary.ai_summary_source == "openai"
    assert_answers_never_logged(caplog)


def test_server_errors_fail_the_summary_and_keep_the_answers(
    submission, openai_api, settings, caplog
):
    settings.OPENAI_MAX_RETRIES = 2
    openai_api.reply(httpx.Response(500, json={"error": {"message": "boom"}}, headers=RETRY_SOON))
    caplog.set_level(logging.DEBUG)

    summary = summarize(submission)

    assert len(openai_api.requests) == 3  # the first try and two retries
    assert summary.ai_summary_status == "failed"
    assert "500" in summary.ai_summary_error
    assert summary.ai_summary == ""
    assert summary.ai_summary_sources == []
    assert summary.ai_summary_generated_at is None
    assert summary.responses == ANSWERS
    assert summary.template_fields == fields()
    # The failure is logged (so the check below would see a leak), without the answers.
    assert any(
        r.name == "intake.summaries" and r.levelno >= logging.WARNING for r in caplog.records
    )
    assert_answers_never_logged(caplog)


def test_timeout_fails_the_summary(submission, openai_api, settings, caplog):
    settings.OPENAI_MAX_RETRIES = 1
    openai_api.reply(timeout)
    caplog.set_level(logging.DEBUG)

    summary = summarize(submission)

    assert len(openai_api.requests) == 2
    assert summary.ai_summary_status == "failed"
    assert "timed out" in summary.ai_summary_error
    assert summary.responses == ANSWERS
    assert_answers_never_logged(caplog)


def bullet(topic="chief_complaint", text="Chief complaint: rash", keys=("reason",)):
    return {"topic": topic, "text": text, "field_keys": list(keys)}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(completion(""), id="empty content"),
        pytest.param(completion("   \n "), id="blank content"),
        pytest.param(completion(None), id="null content"),
        pytest.param({**completion(), "choices": []}, id="no choices"),
        pytest.param(completion(None, refusal="I can't help with that."), id="refusal"),
        pytest.param(completion("• Chief complaint: rash"), id="plain text, not JSON"),
        pytest.param(completion('{"bullets": []}'), id="no bullets"),
        pytest.param(completion(json.dumps({"bullets": [bullet()] * 7})), id="seven bullets"),
        pytest.param(completion(json.dumps([bullet()])), id="a list, not an object"),
        pytest.param(
            completion(json.dumps({"bullets": [bullet(keys=["ssn"])]})), id="a key not answered"
        ),
        pytest.param(completion(json.dumps({"bullets": [bullet(keys=[])]})), id="no keys"),
        pytest.param(
            completion(json.dumps({"bullets": [bullet(topic="billing")]})), id="unknown topic"
        ),
        pytest.param(
            completion(json.dumps({"bullets": [bullet(text="x" * 601)]})), id="a bullet too long"
        ),
        pytest.param(completion(json.dumps({"bullets": [bullet(text=" • ")]})), id="empty text"),
    ],
)
def test_an_unusable_reply_gives_the_local_summary_marked_as_fallback(
    submission, openai_api, caplog, body
):
    """Never nothing: the doctor gets the local summary, and its source says why."""
    openai_api.reply(httpx.Response(200, json=body))
    caplog.set_level(logging.DEBUG)

    summary = summarize(submission)

    assert summary.ai_summary_status == "ready"
    assert summary.ai_summary_source == "fallback"
    assert summary.ai_summary == summarize_locally(fields(), ANSWERS).text
    assert "Allergies: Glimmerberry pollen" in summary.ai_summary
    assert summary.ai_summary_sources == summarize_locally(fields(), ANSWERS).sources
    assert summary.ai_summary_needs_review is False
    assert summary.ai_summary_error.startswith("OpenAI's reply was unusable")
    assert summary.responses == ANSWERS
    assert_answers_never_logged(caplog)


def test_a_failure_keeps_the_earlier_summary(submission, openai_api):
    assert summarize(submission).ai_summary_status == "ready"
    openai_api.reply(httpx.Response(500, json={"error": {"message": "boom"}}))

    summary = summarize(submission)

    assert summary.ai_summary_status == "failed"
    assert summary.ai_summary == FAITHFUL_TEXT
    assert len(summary.ai_summary_sources) == 4
    assert summary.ai_summary_source == "openai"


def test_patient_submit_with_openai_ends_ready(
    anon, link, openai_api, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        assert anon.post(public_url(link), {"responses": answers()}).status_code == 201

    summary = IntakeSubmission.objects.get()
    assert summary.ai_summary_status == "ready"
    assert summary.ai_summary_source == "openai"
    assert len(openai_api.requests) == 1
    assert_answers_never_logged(caplog)


def test_openai_failing_on_submit_never_loses_the_submission(
    anon, link, appointment, openai_api, caplog, django_capture_on_commit_callbacks
):
    openai_api.reply(httpx.Response(503, json={"error": {"message": "down"}}))
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(public_url(link), {"responses": answers()})

    assert response.status_code == 201
    summary = IntakeSubmission.objects.get()
    assert summary.ai_summary_status == "failed"
    assert "503" in summary.ai_summary_error
    assert summary.responses == ANSWERS
    appointment.refresh_from_db()
    assert appointment.intake_status == "completed"
    assert_answers_never_logged(caplog)


# The local summarizer ---------------------------------------------------------------------


def test_without_a_key_the_local_summarizer_writes_it(submission, openai_api, settings, caplog):
    settings.OPENAI_API_KEY = ""
    caplog.set_level(logging.DEBUG)

    summary = summarize(submission)

    assert openai_api.requests == []
    assert summary.ai_summary_status == "ready"
    assert summary.ai_summary_source == "local"
    assert summary.ai_summary_generated_at is not None
    lines = summary.ai_summary.splitlines()
    assert 3 <= len(lines) <= 6
    assert all(line.startswith("• ") for line in lines)
    assert [f"• {source['bullet']}" for source in summary.ai_summary_sources] == lines
    assert summary.ai_summary_needs_review is False
    text = summary.ai_summary
    assert "Chief complaint" in text
    assert "Zorblax rash on the left elbow" in text
    assert "Medications" in text
    assert "Quintaprilex 5mg daily" in text
    assert "Allergies" in text
    assert "Glimmerberry pollen" in text
    assert_answers_never_logged(caplog)


def test_local_summary_is_deterministic(submission):
    first = summarize(submission).ai_summary

    again = summarize(submission).ai_summary
    reordered = summarize_locally(fields(), dict(reversed(list(ANSWERS.items()))))

    assert again == first
    assert reordered.text == first


def test_local_summary_with_only_a_reason_says_what_was_left_blank():
    text = summarize_locally(fields(), {"reason": "Headache", "consent": True}).text

    assert text.splitlines() == [
        "• Chief complaint: Headache",
        "• Medications: not answered",
        "• Allergies: not answered",
    ]


def test_local_summary_trims_very_long_answers_but_not_medications():
    long_medications = "; ".join(f"Drugname{i} {i} mg" for i in range(60))

    text = summarize_locally(
        fields(), {"reason": "word " * 1000, "medications": long_medications, "consent": True}
    ).text

    first, medications = text.splitlines()[:2]
    assert len(first) < 320
    assert first.endswith("…")
    assert medications == f"• Medications: {long_medications}"


# Regenerating ----------------------------------------------------------------------------


def regenerate(client, submission):
    return client.post(f"{SUBMISSIONS}/{submission.pk}/regenerate-summary")


def test_admin_regenerates_a_failed_summary(
    api, admin, submission, openai_api, django_capture_on_commit_callbacks
):
    openai_api.reply(httpx.Response(500, json={"error": {"message": "boom"}}))
    assert summarize(submission).ai_summary_status == "failed"
    better = structured(
        ("chief_complaint", "Chief complaint: rash, better", ["reason"]),
        ("medications", "Medications: Quintaprilex 5mg daily", ["medications"]),
        ("allergies", "Allergies: Glimmerberry pollen", ["allergies"]),
    )
    openai_api.reply(httpx.Response(200, json=completion(better)))

    with django_capture_on_commit_callbacks(execute=True):
        response = regenerate(api(admin), submission)

    assert response.status_code == 202, response.content
    assert response.json()["id"] == str(submission.pk)
    assert response.json()["ai_summary_status"] in ("pending", "ready")
    submission.refresh_from_db()
    assert submission.ai_summary_status == "ready"
    assert submission.ai_summary.splitlines()[0] == "• Chief complaint: rash, better"
    assert submission.ai_summary_error == ""
    assert submission.ai_summary_source == "openai"
    assert submission.responses == ANSWERS


def test_regenerate_queues_the_job_after_commit(
    api, admin, submission, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = regenerate(api(admin), submission)

    assert response.status_code == 202
    assert response.json()["ai_summary_status"] == "pending"
    assert callbacks
    submission.refresh_from_db()
    assert submission.ai_summary_status == "pending"


@pytest.mark.parametrize(("role", "status"), [("doctor", 403), ("owner", 403)])
def test_doctor_and_owner_may_not_regenerate(request, api, submission, role, status):
    response = regenerate(api(request.getfixturevalue(role)), submission)

    assert response.status_code == status, response.content
    submission.refresh_from_db()
    assert submission.ai_summary_status == "pending"


def test_outsider_gets_404_on_regenerate(api, outsider_admin, submission):
    response = regenerate(api(outsider_admin), submission)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_gets_401_on_regenerate(anon, submission):
    assert regenerate(anon, submission).status_code == 401
