"""Scores the summarizers on a file of intake cases (``manage.py evaluate_summaries``).

A cases file is a JSON list; each case is::

    {"name": "allergy in a free-text label",
     "fields": [...template fields...],
     "responses": {...answers by key...},
     "expect": {"allergies": ["Penicillin"], "medications": ["Ibuprofen 400 mg"],
                "kept": ["102.4"]},
     "negatives": ["allergies"],          # topics answered "none" (may say none)
     "forbid": ["latex"],                 # must not appear anywhere
     "not_under": {"medications": ["Penicillin"]}}  # must not be filed there

Expected allergies and medications must appear, as written, in a bullet of their
topic; "kept" facts anywhere. A medicine or allergen in the summary that no answer
names, a "forbid" string, or a "not_under" string in a bullet of that topic is an
invented fact. A bullet that claims an absence
("none", "no known ...") for a topic the case does not list in ``negatives``, or for
which it expects facts, is a false absence.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from intake.bullets import Scorecard, Summary, score
from intake.forms import check_answers, check_field_definitions
from intake.reading import read

CASE_KEYS = {
    "name",
    "notes",
    "fields",
    "responses",
    "expect",
    "negatives",
    "forbid",
    "not_under",
}
EXPECT_KEYS = {"allergies", "medications", "kept"}


class InvalidCases(ValueError):
    """The cases file cannot be evaluated; the message says where and why."""


@dataclass
class Result:
    name: str
    card: Scorecard
    summary: Summary


def load_cases(path: str | Path) -> list[dict]:
    """The cases of a file, checked: every form valid and every answer fitting it."""
    try:
        cases = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidCases(f"Cannot read {path}: {exc.strerror}.") from None
    except ValueError as exc:
        raise InvalidCases(f"{path} is not JSON: {exc}.") from None
    if not isinstance(cases, list) or not cases:
        raise InvalidCases(f"{path} must hold a non-empty list of cases.")
    for number, case in enumerate(cases, start=1):
        where = f"case {number}"
        if not isinstance(case, dict) or not isinstance(case.get("name"), str):
            raise InvalidCases(f"{where}: each case is an object with a name.")
        where = f"case {number} ({case['name']})"
        unknown = set(case) - CASE_KEYS
        if unknown:
            raise InvalidCases(f"{where}: unknown keys {', '.join(sorted(unknown))}.")
        fields, errors = check_field_definitions(case.get("fields"))
        if errors:
            raise InvalidCases(f"{where}: invalid fields: {errors}.")
        answers, errors = check_answers(fields, case.get("responses"))
        if errors:
            raise InvalidCases(f"{where}: answers do not fit the form: {errors}.")
        expect = case.get("expect", {})
        if not isinstance(expect, dict) or set(expect) - EXPECT_KEYS:
            raise InvalidCases(f"{where}: expect takes {', '.join(sorted(EXPECT_KEYS))}.")
        case["fields"], case["responses"] = fields, answers
    return cases


def evaluate(cases: list[dict], summarize: Callable[[list[dict], dict], Summary]) -> list[Result]:
    results = []
    for case in cases:
        summary = summarize(case["fields"], case["responses"])
        reading = read(case["fields"], case["responses"])
        results.append(Result(case["name"], score(summary, reading, case), summary))
    return results


def _ratio(found: int, expected: int) -> str:
    return f"{found}/{expected}" if expected else "-"


def _percent(pairs: list[tuple[int, int]]) -> str:
    expected = sum(e for _, e in pairs)
    if not expected:
        return "-"
    return f"{100 * sum(f for f, _ in pairs) / expected:.0f}%"


def table(results: list[Result]) -> str:
    """A plain-text table: one row per case, then the totals."""
    header = ("case", "allergies", "medications", "kept", "invented", "false none", "review")
    rows = [
        (
            result.name,
            _ratio(*result.card.allergies),
            _ratio(*result.card.medications),
            _ratio(*result.card.kept),
            str(len(result.card.invented)),
            str(len(result.card.false_absences)),
            "yes" if result.summary.needs_review else "",
        )
        for result in results
    ]
    cards = [r.card for r in results]
    rows.append(
        (
            f"all {len(results)} cases",
            _percent([c.allergies for c in cards]),
            _percent([c.medications for c in cards]),
            _percent([c.kept for c in cards]),
            str(sum(len(c.invented) for c in cards)),
            str(sum(len(c.false_absences) for c in cards)),
            str(sum(r.summary.needs_review for r in results)),
        )
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        first = row[0].ljust(widths[0])
        return "  ".join(
            [first, *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))]
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *map(line, rows[:-1]), rule, line(rows[-1])])


def problems(results: list[Result]) -> list[str]:
    """What fell short, case by case, for the command to print under the table."""
    found = []
    for result in results:
        card = result.card
        found += [f"{result.name}: missing {fact}" for fact in card.missed]
        found += [f"{result.name}: invented {term}" for term in card.invented]
        found += [f"{result.name}: false absence, {claim}" for claim in card.false_absences]
    return found
