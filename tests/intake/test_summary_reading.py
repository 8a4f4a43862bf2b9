"""How answers are read for the summary (intake.reading) and how the local summary
words what it found: topics by meaning, negatives only when the patient wrote one,
"not asked" and "not answered" instead of a false "none"."""

import pytest

from intake.reading import label_topic, read
from intake.summaries import summarize_locally
from intake.terms import Cues


def field(key, label, kind="text", **extra):
    return {"key": key, "label": label, "type": kind, **extra}


def summary(fields, responses) -> list[str]:
    return summarize_locally(fields, responses).text.splitlines()


@pytest.mark.parametrize(
    ("label", "key", "topic"),
    [
        ("Allergies (medications, foods, latex)", "allergies", "allergies"),
        ("Do you react badly to any drugs, foods or latex?", "q3", "allergies"),
        ("Any drug allergies?", "q4", "allergies"),
        ("Current medications (name and dose)", "current_medications", "medications"),
        ("What do you take every day?", "daily_meds", "medications"),
        ("What brings you in today?", "q1", "chief_complaint"),
        ("Reason for visit", "reason", "chief_complaint"),
        ("Temperature (°F)", "temp", "chief_complaint"),
        ("Pain level (0-10)", "pain", "chief_complaint"),
        ("Past surgeries", "q5", "history"),
        ("Are you pregnant?", "pregnant", "history"),
        ("Do you smoke?", "smoker", "history"),
        ("Anything else?", "q9", "concerns"),
        ("Alergias", "alergias", "allergies"),
        ("¿Qué medicamentos toma?", "meds_es", "medications"),
        ("Motivo de la consulta", "motivo", "chief_complaint"),
        ("Family history of allergies", "family_allergies", "history"),
        ("Preferred language", "language", None),
    ],
)
def test_a_question_is_filed_by_what_its_label_and_key_mean(label, key, topic):
    assert label_topic(field(key, label)) == topic


def test_cues_match_whole_words_with_plurals_and_stars():
    cues = Cues(["bee", "alergi*", "brings you"])

    assert cues.search("Bee stings")
    assert cues.search("two bees")
    assert not cues.search("I have been well")
    assert cues.search("Alérgico a la penicilina")
    assert cues.search("What BRINGS  you in?")
    assert not cues.search("bring")


def test_the_authors_topic_wins_over_the_label():
    reading = read([field("q", "Reason for visit", topic="allergies")], {"q": "Latex"})

    assert [s.topic for s in reading.statements] == ["allergies"]


def test_an_unlabelled_answer_is_filed_by_its_content():
    fields = [field("q1", "Please write here", "textarea"), field("q2", "More", "textarea")]

    reading = read(fields, {"q1": "I am allergic to cats", "q2": "Metformin 500 mg"})

    assert [(s.key, s.topic) for s in reading.statements] == [
        ("q1", "allergies"),
        ("q2", "medications"),
    ]


def test_a_topic_the_form_never_asked_is_not_asked_never_none():
    lines = summary([field("reason", "Reason for visit")], {"reason": "Sore throat"})

    assert lines == [
        "• Chief complaint: Sore throat",
        "• Medications: not asked",
        "• Allergies: not asked",
    ]


def test_a_question_left_blank_is_not_answered_with_its_key_as_source():
    fields = [field("reason", "Reason"), field("allergies", "Allergies")]

    made = summarize_locally(fields, {"reason": "Cough"})

    assert made.text.splitlines()[-1] == "• Allergies: not answered"
    assert made.sources[-1]["field_keys"] == ["allergies"]


def test_none_quotes_what_the_patient_wrote():
    fields = [field("reason", "Reason"), field("allergies", "Drug allergies")]

    assert summary(fields, {"reason": "Cough", "allergies": "NKDA"})[-1] == (
        "• Allergies: none (“Drug allergies”: NKDA)"
    )


def test_an_unticked_allergy_box_is_quoted_as_not_ticked():
    fields = [field("reason", "Reason"), field("any", "Do you have any allergies?", "checkbox")]

    assert summary(fields, {"reason": "Cough", "any": False})[-1] == (
        "• Allergies: none (“Do you have any allergies?” not ticked)"
    )


def test_an_allergy_elsewhere_is_shown_beside_a_none():
    fields = [
        field("reason", "Reason"),
        field("allergies", "Allergies"),
        field("else", "Anything else?", "textarea"),
    ]

    lines = summary(
        fields, {"reason": "Cough", "allergies": "None", "else": "I'm allergic to bee stings."}
    )

    assert lines[2] == (
        "• Allergies: I'm allergic to bee stings (under “Anything else”); “Allergies”: None"
    )
    assert lines[3] == "• Concerns: I'm allergic to bee stings"


def test_a_sentence_repeating_a_listed_medicine_is_not_filed_twice():
    fields = [
        field("reason", "Reason for visit", "textarea"),
        field("medications", "Current medications"),
    ]

    lines = summary(fields, {"reason": "Warfarin dose review.", "medications": "Warfarin 5 mg"})

    assert lines[1] == "• Medications: Warfarin 5 mg"


def test_a_checked_symptom_and_a_number_keep_their_question():
    fields = [
        field("reason", "Reason"),
        field("fever", "Fever?", "checkbox"),
        field("temp", "Temperature (°C)", "number"),
    ]

    assert summary(fields, {"reason": "Cough", "fever": True, "temp": 38.5})[0] == (
        "• Chief complaint: Cough; Fever: yes; Temperature (°C): 38.5"
    )


def test_an_unticked_box_about_something_else_says_nothing():
    fields = [field("reason", "Reason"), field("fever", "Fever?", "checkbox")]

    assert summary(fields, {"reason": "Cough", "fever": False})[0] == "• Chief complaint: Cough"


def test_consent_boxes_and_not_applicable_are_left_out_but_typed_answers_never():
    fields = [
        field("reason", "Reason"),
        field("duration", "How long?", "select", options=["A week", "Not applicable"]),
        field("consent", "I agree to the privacy terms", "checkbox"),
        field("terms_note", "Comments on our terms"),
    ]

    text = summarize_locally(
        fields,
        {"reason": "Cough", "duration": "Not applicable", "consent": True, "terms_note": "Fine"},
    ).text

    assert "Not applicable" not in text
    assert "privacy" not in text
    assert "Fine" in text


def test_other_answers_keep_their_question():
    fields = [field("reason", "Reason"), field("coffee", "Cups of coffee a day", "number")]

    assert summary(fields, {"reason": "Palpitations", "coffee": 4})[-1] == (
        "• Other answers: Cups of coffee a day: 4"
    )


def test_bullets_follow_the_guides_order_whatever_the_forms_order():
    fields = [
        field("else", "Anything else?"),
        field("history", "Past surgeries"),
        field("allergies", "Allergies"),
        field("meds", "Medications"),
        field("reason", "Reason"),
    ]
    responses = {"else": "Q", "history": "H", "allergies": "A", "meds": "M", "reason": "R"}

    topics = [s["topic"] for s in summarize_locally(fields, responses).sources]

    assert topics == ["chief_complaint", "medications", "allergies", "history", "concerns"]
