"""The reviewed word lists of ``terms.toml``, compiled once into matchers.

An entry matches whole words, case- and accent-insensitively, with an optional
plural ending; ``allerg*`` matches any ending; a phrase matches its words in order.
"""

import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

TERMS_FILE = Path(__file__).with_name("terms.toml")


def fold(text: str) -> str:
    """Lower case without accents, one space between words: how every cue is compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("’", "'").split())


def _pattern(entry: str) -> str:
    words = fold(entry).split()
    last = words[-1]
    # "allerg*" takes any ending; a plain word its plural.
    tail = re.escape(last[:-1]) + r"\w*" if last.endswith("*") else re.escape(last) + "(?:s|es)?"
    return r"\s+".join([*map(re.escape, words[:-1]), tail])


class Cues:
    """Finds any of a list of entries in text; ``first`` says where the earliest starts."""

    def __init__(self, entries: list[str]):
        self.entries = tuple(entries)
        alternatives = "|".join(sorted(map(_pattern, entries), key=len, reverse=True))
        self._regex = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w])")

    def search(self, text: str) -> bool:
        return self._regex.search(fold(text)) is not None

    def found(self, text: str) -> list[str]:
        """Every match in ``text``, folded, in order."""
        return [match.group(0) for match in self._regex.finditer(fold(text))]

    def starts(self, text: str) -> bool:
        """Whether ``text`` begins with one of the entries."""
        match = self._regex.match(fold(text))
        return match is not None


class Terms:
    def __init__(self, data: dict):
        labels = data["labels"]
        self.label_topics = {
            topic: Cues(labels[topic])
            for topic in (
                "family",
                "allergies",
                "medications",
                "chief_complaint",
                "history",
                "symptoms",
                "concerns",
            )
        }
        self.paperwork = Cues(labels["paperwork"])
        self.negatives = frozenset(fold(answer) for answer in data["negatives"]["answers"])
        self.not_applicable = frozenset(
            fold(answer) for answer in data["negatives"]["not_applicable"]
        )
        self.absence = Cues(data["absence"]["claims"])
        mentions = data["allergy_mentions"]
        self.allergy_strong = Cues(mentions["strong"])
        self.allergy_weak = Cues(mentions["weak"])
        self.substances = Cues(mentions["substances"])
        self.medication_names = Cues(data["medications"]["names"])
        self.dose = re.compile(data["medications"]["dose_pattern"], re.IGNORECASE)
        self.filler = frozenset(fold(word) for word in data["filler"]["words"])


@cache
def terms() -> Terms:
    with TERMS_FILE.open("rb") as handle:
        return Terms(tomllib.load(handle))
