"""A summary as bullets with their sources, and the checks every summary is held to.

A check reads a summary against the answers it came from (``intake.reading``):
which stated allergies and medications it left out of their topic, which medicine
or allergen it names that the patient never wrote, and where it claims an absence
("No known allergies") that no answer supports. The OpenAI summarizer's output
goes through ``verify``; ``manage.py evaluate_summaries`` scores both summarizers
with the same functions.
"""

import re
from dataclasses import dataclass, field
from functools import cache

from intake.models import Topic
from intake.reading import NEGATABLE, ORDER, PROTECTED, Reading, Statement
from intake.terms import Cues, fold, terms

MISSING_PREFIX = "Not in the AI summary"
# "Allergies: ", "Chief complaint: " before a bullet's body.
HEADING = re.compile(r"^[^:\d]{1,40}:\s*")
WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
EXCEPT = re.compile(r"\b(?:except|but|other than|apart from|besides|excepto|salvo|menos|pero)\b")
ITEM_SPLIT = re.compile(r"[,;\n]|\s(?:and|y|&|plus)\s", re.IGNORECASE)


@dataclass(frozen=True)
class Bullet:
    topic: str
    text: str  # without the "• "
    field_keys: tuple[str, ...] = ()
    flagged: bool = False  # written by the check, not by the summarizer


@dataclass(frozen=True)
class Summary:
    bullets: tuple[Bullet, ...]
    source: str
    needs_review: bool = False
    note: str = ""  # why the local summary stands in for OpenAI's

    @property
    def text(self) -> str:
        return "\n".join(f"• {bullet.text}" for bullet in self.bullets)

    @property
    def sources(self) -> list[dict]:
        return [
            {
                "bullet": bullet.text,
                "topic": bullet.topic,
                "field_keys": list(bullet.field_keys),
                "flagged": bullet.flagged,
            }
            for bullet in self.bullets
        ]


@cache
def _topic_words() -> dict[str, Cues]:
    return {
        Topic.ALLERGIES: Cues(["allerg*", "alergi*", "nkda", "nka"]),
        Topic.MEDICATIONS: Cues(["medicat*", "medicine", "meds", "drug", "medicament*"]),
        Topic.HISTORY: Cues(["history", "condition", "antecedente", "enfermedad"]),
    }


def _words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def _stem(token: str) -> str:
    return token[: max(4, len(token) - 2)] if len(token) > 5 else token


def _has(words: list[str], tokens: list[str]) -> bool:
    """Whether every token appears in ``words``, allowing a changed ending."""
    return all(any(word.startswith(_stem(token)) for word in words) for token in tokens)


def body(text: str) -> str:
    """A bullet without its heading."""
    return HEADING.sub("", text, count=1)


# What a summary must keep -----------------------------------------------------------------


def fact_items(statement: Statement) -> list[str]:
    """The separate things of one answer ("Metformin 1000 mg; atorvastatin 20 mg")."""
    if statement.kind in ("checkbox", "number", "date"):
        return []  # "yes" and numbers name nothing to look for
    return [item.strip() for item in ITEM_SPLIT.split(statement.said) if item.strip()]


def key_tokens(item: str) -> list[str]:
    """What must survive of an item: the medicines and allergens it names, or else
    its words that are not filler ("Quintaprilex 5mg daily" -> quintaprilex)."""
    t = terms()
    named = t.medication_names.found(item) + t.substances.found(item)
    if named:
        return [token for name in named for token in _words(name)]
    return [
        word
        for word in _words(item)
        if len(word) >= 3 and word not in t.filler and not any(ch.isdigit() for ch in word)
    ]


def missing_facts(bullets, reading: Reading) -> dict[str, list[tuple[str, str]]]:
    """Per protected topic, the (item, field key) the bullets of that topic lack."""
    missing: dict[str, list[tuple[str, str]]] = {}
    for topic in PROTECTED:
        words = _words(" ".join(b.text for b in bullets if b.topic == topic))
        for statement in reading.positives(topic):
            for item in fact_items(statement):
                tokens = key_tokens(item)
                if tokens and not _has(words, tokens):
                    missing.setdefault(topic, []).append((item, statement.key))
    return missing


# What a summary must not say ---------------------------------------------------------------


def invented_terms(text: str, reading: Reading) -> list[str]:
    """Medicines and allergens named in ``text`` that no answer names. The form's
    own questions may be quoted ("Allergies (medications, foods, latex)")."""
    scrubbed = fold(text)
    for label in sorted(reading.labels, key=len, reverse=True):
        if label.strip():
            scrubbed = scrubbed.replace(fold(label), " ")
    answered = _words(reading.answers_text())
    t = terms()
    named = t.medication_names.found(scrubbed) + t.substances.found(scrubbed)
    return sorted({name for name in named if not _has(answered, _words(name))})


def absence_claims(bullet: Bullet) -> set[str]:
    """Topics a bullet says the patient has nothing of: a clause starting "none",
    "no known ...", "denies ...", about its own topic or one it names. "None except
    penicillin" claims nothing."""
    claims = set()
    for clause in re.split(r"[;.\n]", body(bullet.text)):
        clause = clause.strip()
        if not clause or not terms().absence.starts(clause):
            continue
        if EXCEPT.search(fold(QUOTED.sub(" ", clause))):
            continue
        named = [topic for topic, words in _topic_words().items() if words.search(clause)]
        claims.add(named[0] if named else bullet.topic)
    return claims


def unsupported_absence(bullet: Bullet, reading: Reading) -> set[str]:
    """Absence claims no answer backs: the topic has statements, or no negative answer."""
    return {
        topic
        for topic in absence_claims(bullet)
        if topic not in NEGATABLE or reading.positives(topic) or not reading.negatives(topic)
    }


# The check of an AI summary -----------------------------------------------------------------


def verify(bullets: list[Bullet], reading: Reading, *, source: str) -> Summary:
    """Holds a model's bullets to the answers. A bullet that names a medicine or
    allergen the patient did not write, or claims an absence no answer supports, is
    taken out; every stated allergy and medication missing from its topic is added
    back as a flagged bullet. Any change sets ``needs_review``."""
    kept, removed = [], []
    for bullet in bullets:
        if invented_terms(bullet.text, reading):
            removed.append("a line naming a medicine or allergen the patient did not write")
        elif unsupported_absence(bullet, reading):
            topics = sorted(unsupported_absence(bullet, reading), key=ORDER.index)
            removed.append(f"a line saying there are no {' or '.join(topics)}")
        else:
            kept.append(bullet)
    added = []
    for topic, items in missing_facts(kept, reading).items():
        keys = tuple(dict.fromkeys(key for _, key in items))
        listed = ", ".join(dict.fromkeys(item for item, _ in items))
        added.append(Bullet(topic, f"{MISSING_PREFIX}: {topic}: {listed}", keys, flagged=True))
    if removed:
        added.append(
            Bullet(
                Topic.OTHER,
                "Taken out of the AI summary: "
                + "; ".join(dict.fromkeys(removed))
                + ". Read the patient's answers.",
                flagged=True,
            )
        )
    ordered = sorted([*kept, *added], key=lambda b: ORDER.index(b.topic))
    return Summary(tuple(ordered), source=source, needs_review=bool(added))


@dataclass
class Scorecard:
    """How one summary fares against what a case says the answers contain."""

    allergies: tuple[int, int] = (0, 0)  # found, expected
    medications: tuple[int, int] = (0, 0)
    kept: tuple[int, int] = (0, 0)
    invented: list[str] = field(default_factory=list)
    false_absences: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def perfect(self) -> bool:
        return (
            not self.invented
            and not self.false_absences
            and all(
                found == expected
                for found, expected in (self.allergies, self.medications, self.kept)
            )
        )


def score(summary: Summary, reading: Reading, case: dict) -> Scorecard:
    """Scores a summary: each expected allergy and medication must appear in a bullet
    of its topic, each other expected fact anywhere; forbidden strings and invented
    terms count as invented facts; an absence claim counts as false unless the case
    lists the topic among its negatives and expects nothing under it."""
    card = Scorecard()
    expect = case.get("expect", {})
    text = fold(summary.text)
    for topic in PROTECTED:
        topic_text = fold(" ".join(b.text for b in summary.bullets if b.topic == topic))
        wanted = expect.get(topic, [])
        found = [fact for fact in wanted if fold(fact) in topic_text]
        card.missed += [f"{topic}: {fact}" for fact in wanted if fact not in found]
        setattr(card, topic, (len(found), len(wanted)))
    wanted = expect.get("kept", [])
    found = [fact for fact in wanted if fold(fact) in text]
    card.missed += [f"kept: {fact}" for fact in wanted if fact not in found]
    card.kept = (len(found), len(wanted))
    card.invented = sorted(
        {*invented_terms(summary.text, reading)}
        | {fact for fact in case.get("forbid", []) if fold(fact) in text}
        | {
            f"{fact} under {topic}"
            for topic, facts in case.get("not_under", {}).items()
            for bullet in summary.bullets
            if bullet.topic == topic
            for fact in facts
            if fold(fact) in fold(bullet.text)
        }
    )
    negatives = set(case.get("negatives", []))
    for bullet in summary.bullets:
        for topic in absence_claims(bullet):
            if topic not in negatives or expect.get(topic):
                card.false_absences.append(f"{topic}: {bullet.text}")
    return card
