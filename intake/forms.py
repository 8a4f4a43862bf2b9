"""Intake form definitions and answers: what a template may contain, and whether a
patient's answers fit it. Used by the admin API, the public API and the HTML page."""

import math
import re
from datetime import date

from intake.models import FieldType, Topic

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_FIELDS = 100
MAX_OPTIONS = 50
DEFAULT_MAX_LENGTH = {FieldType.TEXT: 500, FieldType.TEXTAREA: 5000}
CHOICE_TYPES = (FieldType.SELECT, FieldType.MULTISELECT)
DEFINITION_KEYS = {
    "key",
    "label",
    "type",
    "required",
    "options",
    "help_text",
    "max_length",
    "min",
    "max",
    "topic",
}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_field_definitions(fields) -> tuple[list[dict], dict | list | None]:
    """Cleans a template's ``fields``; returns (clean fields, errors or None).

    Errors follow DRF's shape for lists: one dict per field, empty where fine, so
    the frontend can point at the exact field and attribute.
    """
    if not isinstance(fields, list) or not fields:
        return [], ["Add at least one field."]
    if len(fields) > MAX_FIELDS:
        return [], [f"At most {MAX_FIELDS} fields."]
    clean, errors, seen = [], [], set()
    for field in fields:
        problems: dict[str, list[str]] = {}
        if not isinstance(field, dict):
            errors.append({"non_field_errors": ["Each field must be an object."]})
            clean.append({})
            continue
        unknown = sorted(set(field) - DEFINITION_KEYS)
        if unknown:
            problems["non_field_errors"] = [f"Unknown attributes: {', '.join(unknown)}."]
        key, label, kind = field.get("key"), field.get("label"), field.get("type")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems["key"] = ["Use lowercase letters, digits and _ (starting with a letter)."]
        elif key in seen:
            problems["key"] = [f"Duplicate key '{key}'."]
        else:
            seen.add(key)
        if not isinstance(label, str) or not label.strip() or len(label) > 200:
            problems["label"] = ["A label of 1 to 200 characters is required."]
        if kind not in FieldType.values:
            problems["type"] = [f"Must be one of: {', '.join(FieldType.values)}."]
        required = field.get("required", False)
        if not isinstance(required, bool):
            problems["required"] = ["Must be true or false."]
        options = field.get("options")
        if kind in CHOICE_TYPES:
            if (
                not isinstance(options, list)
                or not options
                or len(options) > MAX_OPTIONS
                or not all(isinstance(o, str) and o.strip() and len(o) <= 200 for o in options)
            ):
                problems["options"] = [f"A {kind} field needs 1 to {MAX_OPTIONS} text options."]
            elif len(set(options)) != len(options):
                problems["options"] = ["Options must be unique."]
        elif options is not None:
            problems["options"] = [f"Only select and multiselect fields have options, not {kind}."]
        help_text = field.get("help_text", "")
        if not isinstance(help_text, str) or len(help_text) > 500:
            problems["help_text"] = ["Text of at most 500 characters."]
        if "max_length" in field and (
            kind not in DEFAULT_MAX_LENGTH
            or not isinstance(field["max_length"], int)
            or isinstance(field["max_length"], bool)
            or not 1 <= field["max_length"] <= DEFAULT_MAX_LENGTH.get(kind, 0)
        ):
            problems["max_length"] = ["Only for text fields, from 1 to the type's limit."]
        topic = field.get("topic")
        if topic is not None and topic not in Topic.values:
            problems["topic"] = [f"Must be one of: {', '.join(Topic.values)}."]
        for bound in ("min", "max"):
            if bound in field and (kind != FieldType.NUMBER or not _number(field[bound])):
                problems[bound] = ["Only for number fields, and must be a number."]
        if _number(field.get("min")) and _number(field.get("max")) and field["min"] > field["max"]:
            problems["max"] = ["Must not be below min."]
        errors.append(problems)
        clean.append(
            {
                "key": key,
                "label": label.strip() if isinstance(label, str) else label,
                "type": kind,
                "required": required,
                **({"options": options} if kind in CHOICE_TYPES else {}),
                **({"help_text": help_text} if help_text else {}),
                **{k: field[k] for k in ("max_length", "min", "max") if k in field},
                **({"topic": topic} if topic else {}),
            }
        )
    if any(errors):
        return [], errors
    return clean, None


def _plain(number) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


def number_hint(field: dict) -> str:
    """What a number question takes, in the patient's words ("Enter a number from 0 to 10.")."""
    low, high = field.get("min"), field.get("max")
    if low is not None and high is not None:
        return f"Enter a number from {_plain(low)} to {_plain(high)}."
    if low is not None:
        return f"Enter a number of at least {_plain(low)}."
    if high is not None:
        return f"Enter a number of at most {_plain(high)}."
    return "Enter a number, like 4 or 98.6."


NUMBER_TEXT = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def number_from_text(text: str):
    """A number typed in a browser ("4", "98.6", "38,5") as a number; anything else
    ("5-6", "about 4") comes back as the text, for ``check_answers`` to explain.
    Blank is None."""
    text = text.strip()
    if not text:
        return None
    if not NUMBER_TEXT.match(text):
        return text
    text = text.replace(",", ".")
    return float(text) if "." in text else int(text)


def _blank(value) -> bool:
    return value is None or value == "" or value == [] or value is False


def _check_answer(field: dict, value):
    """(clean value, error message or None) for one answer that is not blank."""
    kind = field["type"]
    if kind in DEFAULT_MAX_LENGTH:
        if not isinstance(value, str):
            return None, "Enter text."
        value = value.strip()
        limit = field.get("max_length", DEFAULT_MAX_LENGTH[kind])
        if len(value) > limit:
            return None, f"At most {limit} characters (you wrote {len(value)})."
        return value, None
    if kind == FieldType.NUMBER:
        low, high = field.get("min"), field.get("max")
        if (
            not _number(value)
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            return None, number_hint(field)
        return value, None
    if kind == FieldType.DATE:
        try:
            parsed = (
                date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
            )
        except ValueError:
            parsed = None
        if parsed is None:
            return None, "Enter a date as YYYY-MM-DD."
        return parsed.isoformat(), None
    if kind == FieldType.SELECT:
        if value not in field["options"]:
            return None, "Choose one of the options."
        return value, None
    if kind == FieldType.MULTISELECT:
        if not isinstance(value, list) or not all(v in field["options"] for v in value):
            return None, "Choose from the options."
        if len(set(value)) != len(value):
            return None, "Choose each option once."
        return value, None
    if kind == FieldType.CHECKBOX:
        if not isinstance(value, bool):
            return None, "Must be ticked or not."
        return value, None
    return None, "This question cannot be answered."


def check_answers(fields: list[dict], responses) -> tuple[dict, dict[str, list[str]]]:
    """Checks a patient's answers against a template's fields.

    Returns (clean answers, errors by field key). Unknown keys are errors too:
    a public endpoint takes nothing it did not ask for.
    """
    if not isinstance(responses, dict):
        return {}, {"responses": ["Send the answers as an object keyed by field."]}
    by_key = {field["key"]: field for field in fields}
    errors: dict[str, list[str]] = {
        key[:50]: ["Not a question on this form."]
        for key in list(responses)[:20]
        if key not in by_key
    }
    clean = {}
    for key, field in by_key.items():
        value = responses.get(key)
        if isinstance(value, str):
            value = value.strip()
        if _blank(value):
            if field.get("required"):
                message = (
                    "Please tick this box."
                    if field["type"] == FieldType.CHECKBOX
                    else "This question is required."
                )
                errors[key] = [message]
            elif field["type"] == FieldType.CHECKBOX:
                clean[key] = False
            continue
        value, error = _check_answer(field, value)
        if error:
            errors[key] = [error]
        else:
            clean[key] = value
    return clean, errors
