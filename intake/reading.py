"""What a patient's answers say, topic by topic.

Both summarizers and the check of an AI summary read answers through here, so they
agree on what the patient stated:

- A question's topic is the template author's ``topic``, else what its label and
  key speak of (``terms.toml``; allergies beat medications), else what its answer
  speaks of, else ``other``. Nothing is dropped for lack of a keyword.
- An answer is *negative* ("none", "NKDA", an unticked "Any allergies?") only when
  the whole answer is one of the reviewed negatives; anything else is a statement
  and is shown as written.
- A sentence of some other answer that speaks of an allergy or a medication is
  filed under that topic as well, so "I'm allergic to bee stings" under "Anything
  else?" reaches the allergies; not from a question about the family.
"""

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from intake.models import FieldType, Topic
from intake.terms import fold, terms

ORDER = tuple(Topic.values)
# Topics where "none" is a finding worth stating; elsewhere a "no" says nothing.
NEGATABLE = (Topic.MEDICATIONS, Topic.ALLERGIES, Topic.HISTORY)
# Answers the summary keeps whole and the check of an AI summary looks for.
PROTECTED = (Topic.MEDICATIONS, Topic.ALLERGIES)
FREE_TEXT = (FieldType.TEXT, FieldType.TEXTAREA)
# Label cue lists that are not topics of their own.
LABEL_TOPICS = {"family": Topic.HISTORY, "symptoms": Topic.CHIEF_COMPLAINT}
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class Statement:
    """One thing the patient said: an answer, or a sentence of one filed elsewhere."""

    key: str
    label: str
    topic: str
    said: str  # the patient's words ("Penicillin (hives)", "yes", "38.5")
    kind: str  # the field type
    negative: bool = False
    mention: bool = False  # a sentence of an answer to a question on another topic

    @property
    def question(self) -> str:
        """The label without its closing punctuation, to put before a short answer."""
        return self.label.strip().rstrip("?:. ") or self.key


@dataclass
class Reading:
    statements: list[Statement] = field(default_factory=list)
    # Topic -> keys of the questions on it that were left blank.
    unanswered: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # Every label of the form, so a check can tell a quoted question from a new fact.
    labels: list[str] = field(default_factory=list)

    def positives(self, topic: str) -> list[Statement]:
        return [s for s in self.statements if s.topic == topic and not s.negative]

    def negatives(self, topic: str) -> list[Statement]:
        return [s for s in self.statements if s.topic == topic and s.negative]

    def answers_text(self) -> str:
        """Everything the patient wrote, folded: what no summary may go beyond."""
        return fold(" ".join(s.said for s in self.statements if not s.mention))


def _plain_number(value) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    return str(value)


def answer_text(field: dict, value) -> str:
    if field["type"] == FieldType.CHECKBOX:
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _plain_number(value)
    return str(value).strip()


def _folded_answer(text: str) -> str:
    return fold(text).strip(" .!,;:-()\"'")


def is_negative(field: dict, value) -> bool:
    """A whole answer that reports nothing: a reviewed negative phrase, every chosen
    option one, or an unticked box."""
    if field["type"] == FieldType.CHECKBOX:
        return value is False
    if isinstance(value, list):
        return bool(value) and all(_folded_answer(str(v)) in terms().negatives for v in value)
    if isinstance(value, str):
        return _folded_answer(value) in terms().negatives
    return False


def is_not_applicable(value) -> bool:
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(
        isinstance(v, str) and _folded_answer(v) in terms().not_applicable for v in values
    )


def _label_cues(field: dict) -> str | None:
    """The first list of label cues (terms.toml [labels]) a question matches."""
    words = f"{field.get('label', '')} {field['key'].replace('_', ' ')}"
    for name, cues in terms().label_topics.items():
        if cues.search(words):
            return name
    return None


def label_topic(field: dict) -> str | None:
    """The topic a question's label and key speak of, or None."""
    name = _label_cues(field)
    return LABEL_TOPICS.get(name, name)


def is_paperwork(field: dict) -> bool:
    """A consent tick box: says nothing about the patient's health."""
    return (
        field["type"] == FieldType.CHECKBOX
        and not field.get("topic")
        and terms().paperwork.search(field.get("label", ""))
        and label_topic(field) is None
    )


def speaks_of_allergy(sentence: str) -> bool:
    t = terms()
    if t.allergy_strong.search(sentence):
        return True
    return t.allergy_weak.search(sentence) and (
        t.substances.search(sentence) or t.medication_names.search(sentence)
    )


def speaks_of_medication(sentence: str) -> bool:
    t = terms()
    return t.medication_names.search(sentence) or t.dose.search(sentence) is not None


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()]


def field_topic(field: dict, value=None) -> str:
    """A question's topic: the author's, its label's, or its answer's."""
    if field.get("topic"):
        return field["topic"]
    topic = label_topic(field)
    if topic:
        return topic
    if field["type"] in FREE_TEXT and isinstance(value, str):
        if speaks_of_allergy(value):
            return Topic.ALLERGIES
        if speaks_of_medication(value):
            return Topic.MEDICATIONS
    return Topic.OTHER


def named_terms(text: str) -> list[str]:
    """The medicines and allergens a text names, folded."""
    t = terms()
    return t.medication_names.found(text) + t.substances.found(text)


def _covered(name: str, known: set[str]) -> bool:
    """Whether ``name`` is one of ``known``, up to a plural ("peanut", "peanuts")."""
    root = name.removesuffix("s")
    return any(other.removesuffix("s") == root for other in known)


def _mentions(statement: Statement, answered: set[str]) -> list[Statement]:
    """Sentences of a free-text answer that belong under allergies or medications too:
    not those that only repeat what that topic's own answers already name."""
    if statement.kind not in FREE_TEXT or statement.negative:
        return []
    found = []
    for sentence in sentences(statement.said):
        if statement.topic != Topic.ALLERGIES and speaks_of_allergy(sentence):
            topic = Topic.ALLERGIES
        elif statement.topic not in PROTECTED and speaks_of_medication(sentence):
            topic = Topic.MEDICATIONS
        else:
            continue
        named = named_terms(sentence)
        repeats = named and all(_covered(name, answered) for name in named)
        if repeats and not terms().dose.search(sentence):
            continue
        found.append(
            Statement(
                key=statement.key,
                label=statement.label,
                topic=topic,
                said=sentence,
                kind=statement.kind,
                mention=True,
            )
        )
    return found


def read(fields: list[dict], responses: dict) -> Reading:
    """Every answer the patient gave, as statements in the form's order."""
    reading = Reading(labels=[f.get("label", "") for f in fields])
    about_relatives: set[str] = set()
    for question in fields:
        key = question["key"]
        value = responses.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if not is_paperwork(question):
                reading.unanswered[field_topic(question)].append(key)
            continue
        if is_paperwork(question) or is_not_applicable(value):
            continue
        topic = field_topic(question, value)
        negative = is_negative(question, value)
        if question["type"] == FieldType.CHECKBOX and value is False and topic not in PROTECTED:
            continue  # an unticked box states nothing, unless it asks "any allergies?"
        if negative and topic not in NEGATABLE:
            continue  # "No" to "Anything else?" says nothing
        statement = Statement(
            key=key,
            label=question.get("label", key),
            topic=topic,
            said="not ticked" if value is False else answer_text(question, value),
            kind=question["type"],
            negative=negative,
        )
        reading.statements.append(statement)
        if _label_cues(question) == "family" and not question.get("topic"):
            about_relatives.add(key)
    for statement in list(reading.statements):
        if statement.key in about_relatives:
            continue
        # What the medication and allergy answers already name, this answer aside.
        answered = {
            name
            for topic in PROTECTED
            for other in reading.positives(topic)
            if other is not statement
            for name in named_terms(other.said)
        }
        reading.statements.extend(_mentions(statement, answered))
    return reading
