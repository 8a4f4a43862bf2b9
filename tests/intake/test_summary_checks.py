"""The check of an OpenAI summary (mocked at the HTTP transport): a dropped allergy or
medication comes back as a flagged bullet, an invented one and an unsupported
"none" are taken out, and any change marks the summary ``needs_review``."""

import httpx
import pytest

from intake.jobs import generate_summary_job
from intake.models import IntakeSubmission
from tests.factories import AppointmentFactory, IntakeSubmissionFactory
from tests.intake import helpers
from tests.intake.conftest import completion, structured
from tests.intake.helpers import ANSWERS, MONDAY

pytestmark = pytest.mark.django_db

DEMO_FIELDS = [
    {"key": "reason", "label": "What is the main reason for your visit?", "type": "textarea"},
    {"key": "current_medications", "label": "Current medications (name and dose)", "type": "text"},
    {"key": "allergies", "label": "Allergies (medications, foods, latex)", "type": "text"},
    {"key": "anything_else", "label": "Anything else?", "type": "textarea"},
]
PENICILLIN = {
    "reason": "Rash on the elbow",
    "current_medications": "Ibuprofen 400 mg",
    "allergies": "Penicillin",
}
CHIEF = (
    "chief_complaint",
    "Chief complaint: Zorblax rash on the left elbow since March",
    ["reason"],
)
MEDS = ("medications", "Medications: Quintaprilex 5mg daily", ["medications"])
ALLERGIES = ("allergies", "Allergies: Glimmerberry pollen", ["allergies"])


@pytest.fixture
def summarize_reply(doctor, template, openai_api):
    """``summarize_reply(reply, fields=..., responses=...)``: the stored summary after
    the model answers ``reply``."""

    def run(reply: str, *, fields=None, responses=ANSWERS) -> IntakeSubmission:
        fields = fields or helpers.fields()
        openai_api.reply(httpx.Response(200, json=completion(reply)))
        visit = AppointmentFactory(doctor=doctor.doctor, scheduled_date=MONDAY)
        submission = IntakeSubmissionFactory(
            appointment=visit, template=template, template_fields=fields, responses=responses
        )
        generate_summary_job(str(submission.pk))
        submission.refresh_from_db()
        return submission

    return run


def lines(submission) -> list[str]:
    return submission.ai_summary.splitlines()


def test_a_faithful_reply_in_other_words_is_not_flagged(summarize_reply):
    reworded = structured(
        CHIEF,
        ("medications", "Medications: quintaprilex 5 mg once a day", ["medications"]),
        ("allergies", "Allergies: allergic to glimmerberry pollen", ["allergies"]),
    )

    summary = summarize_reply(reworded)

    assert summary.ai_summary_source == "openai"
    assert summary.ai_summary_needs_review is False
    assert not any(source["flagged"] for source in summary.ai_summary_sources)
    assert len(lines(summary)) == 3


def test_a_dropped_allergy_comes_back_flagged_for_review(summarize_reply):
    summary = summarize_reply(structured(CHIEF, MEDS))

    assert summary.ai_summary_status == "ready"
    assert summary.ai_summary_source == "openai"
    assert summary.ai_summary_needs_review is True
    assert lines(summary) == [
        "• Chief complaint: Zorblax rash on the left elbow since March",
        "• Medications: Quintaprilex 5mg daily",
        "• Not in the AI summary: allergies: Glimmerberry pollen",
    ]
    flagged = summary.ai_summary_sources[-1]
    assert flagged == {
        "bullet": "Not in the AI summary: allergies: Glimmerberry pollen",
        "topic": "allergies",
        "field_keys": ["allergies"],
        "flagged": True,
    }


def test_an_allergy_filed_as_a_medication_and_denied_is_caught(summarize_reply):
    """The issue's report, from a model: penicillin under medications, 'none reported'."""
    reply = structured(
        ("chief_complaint", "Chief complaint: rash on the elbow", ["reason"]),
        (
            "medications",
            "Medications: Ibuprofen 400 mg; Penicillin",
            ["current_medications", "allergies"],
        ),
        ("allergies", "Allergies: none reported", ["allergies"]),
    )

    summary = summarize_reply(reply, fields=DEMO_FIELDS, responses=PENICILLIN)

    assert summary.ai_summary_needs_review is True
    assert lines(summary) == [
        "• Chief complaint: rash on the elbow",
        "• Medications: Ibuprofen 400 mg; Penicillin",
        "• Not in the AI summary: allergies: Penicillin",
        "• Taken out of the AI summary: a line saying there are no allergies."
        " Read the patient's answers.",
    ]
    assert "none reported" not in summary.ai_summary


def test_an_allergy_in_another_answer_must_reach_the_allergies(summarize_reply):
    responses = {**PENICILLIN, "allergies": "None", "anything_else": "I'm allergic to latex."}
    reply = structured(
        ("chief_complaint", "Chief complaint: rash on the elbow", ["reason"]),
        ("medications", "Medications: Ibuprofen 400 mg", ["current_medications"]),
        ("concerns", "Concerns: mentions latex", ["anything_else"]),
    )

    summary = summarize_reply(reply, fields=DEMO_FIELDS, responses=responses)

    assert summary.ai_summary_needs_review is True
    assert "• Not in the AI summary: allergies: I'm allergic to latex." in lines(summary)


def test_an_invented_medication_is_taken_out_and_the_real_one_put_back(summarize_reply):
    reply = structured(
        CHIEF,
        ("medications", "Medications: Quintaprilex 5mg daily; amoxicillin", ["medications"]),
        ALLERGIES,
    )

    summary = summarize_reply(reply)

    assert summary.ai_summary_needs_review is True
    assert "amoxicillin" not in summary.ai_summary.lower()
    assert lines(summary) == [
        "• Chief complaint: Zorblax rash on the left elbow since March",
        "• Not in the AI summary: medications: Quintaprilex 5mg daily",
        "• Allergies: Glimmerberry pollen",
        "• Taken out of the AI summary: a line naming a medicine or allergen the patient"
        " did not write. Read the patient's answers.",
    ]


def test_quoting_the_question_is_not_an_invented_allergen(summarize_reply):
    reply = structured(
        ("chief_complaint", "Chief complaint: rash on the elbow", ["reason"]),
        ("medications", "Medications: Ibuprofen 400 mg", ["current_medications"]),
        (
            "allergies",
            "Allergies (medications, foods, latex): Penicillin",
            ["allergies"],
        ),
    )

    summary = summarize_reply(reply, fields=DEMO_FIELDS, responses=PENICILLIN)

    assert summary.ai_summary_needs_review is False


def test_an_allergen_the_patient_did_not_write_is_taken_out(summarize_reply):
    reply = structured(
        ("chief_complaint", "Chief complaint: rash on the elbow", ["reason"]),
        ("medications", "Medications: Ibuprofen 400 mg", ["current_medications"]),
        ("allergies", "Allergies: Penicillin and latex", ["allergies"]),
    )

    summary = summarize_reply(reply, fields=DEMO_FIELDS, responses=PENICILLIN)

    assert summary.ai_summary_needs_review is True
    assert "latex" not in summary.ai_summary
    assert "• Not in the AI summary: allergies: Penicillin" in lines(summary)


def test_no_known_allergies_for_a_form_that_never_asked_is_taken_out(summarize_reply):
    asked = [{"key": "reason", "label": "Reason for visit", "type": "text"}]
    reply = structured(
        ("chief_complaint", "Chief complaint: sore throat", ["reason"]),
        ("allergies", "No known drug allergies.", ["reason"]),
    )

    summary = summarize_reply(reply, fields=asked, responses={"reason": "Sore throat"})

    assert summary.ai_summary_needs_review is True
    assert lines(summary) == [
        "• Chief complaint: sore throat",
        "• Taken out of the AI summary: a line saying there are no allergies."
        " Read the patient's answers.",
    ]


def test_none_is_kept_when_the_patient_answered_none(summarize_reply):
    responses = {**PENICILLIN, "allergies": "NKDA"}
    reply = structured(
        ("chief_complaint", "Chief complaint: rash on the elbow", ["reason"]),
        ("medications", "Medications: Ibuprofen 400 mg", ["current_medications"]),
        ("allergies", "Allergies: none (NKDA)", ["allergies"]),
    )

    summary = summarize_reply(reply, fields=DEMO_FIELDS, responses=responses)

    assert summary.ai_summary_needs_review is False
    assert "• Allergies: none (NKDA)" in lines(summary)


def test_the_models_bullets_are_put_in_the_guides_order(summarize_reply):
    summary = summarize_reply(structured(ALLERGIES, MEDS, CHIEF))

    assert [source["topic"] for source in summary.ai_summary_sources] == [
        "chief_complaint",
        "medications",
        "allergies",
    ]
    assert summary.ai_summary_needs_review is False
