"""Both summarizers on the shipped cases (summary_cases.json): every allergy and
medication in its topic, nothing invented, no false "none". The OpenAI path runs on
a mocked transport with a faithful model and with models that drop, deny and invent,
which the check must catch. ``manage.py evaluate_summaries`` prints the same scores."""

import json
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command

from intake.bullets import Bullet, Summary
from intake.evaluation import InvalidCases, evaluate, load_cases, table
from intake.reading import read
from intake.summaries import summarize_locally, summarize_with_openai
from tests.intake.conftest import completion

CASES_FILE = Path(__file__).with_name("summary_cases.json")
CASES = load_cases(CASES_FILE)


def case_id(case):
    return case["name"]


def test_the_shipped_cases_cover_what_the_issue_lists():
    """At least 25 cases, with long forms, Spanish, every field type and negatives."""
    assert len(CASES) >= 25
    assert any(len(case["fields"]) >= 12 for case in CASES)
    types = {field["type"] for case in CASES for field in case["fields"]}
    assert types >= {"text", "textarea", "number", "date", "select", "multiselect", "checkbox"}
    spanish = [c for c in CASES if any(f["label"].startswith(("¿", "Motivo")) for f in c["fields"])]
    assert len(spanish) >= 3
    negatives = [value for case in CASES for value in case["responses"].values()]
    assert {"NKDA", "None", False} <= {v for v in negatives if isinstance(v, str | bool)}
    assert sum(bool(case.get("expect", {}).get("allergies")) for case in CASES) >= 12
    assert sum(bool(case.get("expect", {}).get("medications")) for case in CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_local_summary_passes_the_case(case):
    [result] = evaluate([case], summarize_locally)

    assert result.card.missed == []
    assert result.card.invented == []
    assert result.card.false_absences == []
    assert result.card.perfect
    assert 3 <= len(result.summary.bullets) <= 6


# The OpenAI path on a mocked transport ------------------------------------------------------


def faithful_reply(fields, responses) -> list[dict]:
    """What a good model answers: the local bullets that cite answers."""
    answered = {key for key, value in responses.items() if value not in (None, "", [])}
    return [
        {"topic": b.topic, "text": b.text, "field_keys": list(b.field_keys)}
        for b in summarize_locally(fields, responses).bullets
        if b.field_keys and set(b.field_keys) <= answered
    ]


def dropping_and_denying(fields, responses) -> list[dict]:
    """A model that leaves out every allergy and says there are none."""
    bullets = [b for b in faithful_reply(fields, responses) if b["topic"] != "allergies"]
    first_key = next(key for key, value in responses.items() if value not in (None, "", []))
    return [
        *bullets,
        {"topic": "allergies", "text": "Allergies: None reported", "field_keys": [first_key]},
    ]


def inventing(fields, responses) -> list[dict]:
    """A model that adds a medicine no patient wrote to its first line."""
    first, *rest = faithful_reply(fields, responses)
    return [{**first, "text": first["text"] + "; takes hydroxychloroquine"}, *rest]


@pytest.fixture
def model(openai_api):
    """``model(behaviour)`` returns a summarizer that calls OpenAI (mocked), whose
    reply ``behaviour(fields, responses)`` writes for each case."""

    def with_behaviour(behaviour):
        def summarize(fields, responses) -> Summary:
            reply = json.dumps({"bullets": behaviour(fields, responses)})
            openai_api.reply(httpx.Response(200, json=completion(reply)))
            return summarize_with_openai(fields, responses)

        return summarize

    return with_behaviour


def test_openai_path_with_a_faithful_model_passes_every_case(model):
    results = evaluate(CASES, model(faithful_reply))

    assert [r.name for r in results if not r.card.perfect] == []
    assert {r.summary.source for r in results} == {"openai"}
    assert not any(r.summary.needs_review for r in results)


def test_the_check_catches_a_model_that_drops_and_denies_allergies(model):
    results = evaluate(CASES, model(dropping_and_denying))

    # The check guards allergies and medications; "None reported" for a patient who
    # wrote "NKDA" is the truth in other words.
    assert [
        (r.name, r.card.allergies, r.card.false_absences)
        for r in results
        if r.card.allergies[0] != r.card.allergies[1] or r.card.false_absences
    ] == []
    assert {r.summary.source for r in results} == {"openai"}
    for case, result in zip(CASES, results, strict=True):
        stated = bool(case.get("expect", {}).get("allergies"))
        denied_truthfully = "allergies" in case.get("negatives", []) and not stated
        assert result.summary.needs_review is not denied_truthfully, case["name"]
        if stated:
            assert any(b.flagged and b.topic == "allergies" for b in result.summary.bullets)


def test_the_check_catches_a_model_that_invents_a_medicine(model):
    results = evaluate(CASES, model(inventing))

    assert [(r.name, r.card.invented) for r in results if r.card.invented] == []
    assert all(r.summary.needs_review for r in results)
    assert all("hydroxychloroquine" not in r.summary.text for r in results)


# The scoring itself ------------------------------------------------------------------------


def test_the_old_keyword_summary_fails_the_cases():
    """The scorer is not a rubber stamp: the first-keyword summary of the issue's
    report files penicillin as a medication and claims no allergies."""
    case = CASES[0]

    def old_summarizer(fields, responses) -> Summary:
        return Summary(
            (
                Bullet("chief_complaint", "Chief complaint: Rash on the elbow", ("reason",)),
                Bullet("medications", "Medications: Ibuprofen 400 mg; Penicillin", ("allergies",)),
                Bullet("allergies", "Allergies: none reported"),
            ),
            source="local",
        )

    [result] = evaluate([case], old_summarizer)

    assert not result.card.perfect
    assert result.card.allergies == (0, 1)
    assert result.card.false_absences == ["allergies: Allergies: none reported"]
    assert result.card.invented == ["Penicillin under medications"]


def test_a_summary_naming_an_unwritten_medicine_scores_an_invented_fact():
    case = {
        "name": "x",
        "fields": [{"key": "reason", "label": "Reason", "type": "text"}],
        "responses": {"reason": "Cough"},
    }
    summary = Summary(
        (Bullet("chief_complaint", "Chief complaint: Cough; takes metformin"),), "local"
    )

    [result] = evaluate([case], lambda fields, responses: summary)

    assert result.card.invented == ["metformin"]
    assert read(case["fields"], case["responses"]).answers_text() == "cough"


def test_table_prints_a_row_per_case_and_the_totals():
    results = evaluate(CASES[:3], summarize_locally)

    printed = table(results).splitlines()

    assert printed[0].split()[:3] == ["case", "allergies", "medications"]
    assert len(printed) == 2 + 3 + 2
    assert printed[-1].startswith("all 3 cases")


# The command --------------------------------------------------------------------------------


def test_command_prints_the_table_and_passes(capsys):
    call_command("evaluate_summaries", str(CASES_FILE))

    out = capsys.readouterr().out
    assert f"all {len(CASES)} cases" in out
    assert "100%" in out
    assert "Every case passes." in out


def test_command_fails_when_a_case_is_missed(tmp_path):
    case = {
        "name": "expects an allergy nobody wrote",
        "fields": [{"key": "reason", "label": "Reason", "type": "text"}],
        "responses": {"reason": "Cough"},
        "expect": {"allergies": ["latex"]},
    }
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([case]))

    with pytest.raises(CommandError, match="1 shortfalls in 1 cases"):
        call_command("evaluate_summaries", str(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ("[]", "non-empty list"),
        ('[{"name": "a", "fields": [], "responses": {}}]', "invalid fields"),
        (
            '[{"name": "a", "fields": [{"key": "r", "label": "R", "type": "number"}],'
            ' "responses": {"r": "ten"}}]',
            "answers do not fit",
        ),
        ('[{"name": "a", "fields": [], "respones": {}}]', "unknown keys respones"),
    ],
)
def test_command_explains_a_bad_cases_file(tmp_path, content, message):
    path = tmp_path / "cases.json"
    path.write_text(content)

    with pytest.raises(InvalidCases, match=message):
        load_cases(path)
    with pytest.raises(CommandError, match=message):
        call_command("evaluate_summaries", str(path))


def test_command_with_openai_needs_a_key(settings):
    settings.OPENAI_API_KEY = ""

    with pytest.raises(CommandError, match="needs OPENAI_API_KEY"):
        call_command("evaluate_summaries", str(CASES_FILE), "--summarizer", "openai")


def test_command_scores_the_openai_path(openai_api, capsys):
    call_command("evaluate_summaries", str(CASES_FILE), "--summarizer", "openai", "--show")

    out = capsys.readouterr().out
    # The default mocked reply cites keys these forms do not have: every case falls
    # back to the local summary, and still passes.
    assert "(fallback)" in out
    assert "Every case passes." in out
    assert len(openai_api.requests) == len(CASES)
