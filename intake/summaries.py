"""The doctor's pre-visit summary of an intake submission.

Both summarizers write 3-6 bullets in the guide's order, each with the keys of the
answers it came from, and read the answers the same way (``intake.reading``):

- Without ``OPENAI_API_KEY`` a local, deterministic summarizer files every answer
  under its topic and quotes what it cannot shorten safely.
- With a key, the OpenAI chat completions API gets the guide's prompt and must
  answer with bullets and their sources (structured output). The reply is checked
  (``intake.bullets.verify``): dropped allergies and medications come back as a
  flagged bullet, invented ones and unsupported "none" are taken out, and the
  summary is marked ``needs_review``. A reply that cannot be checked gives the
  local summary, marked as the fallback, never nothing.

A failed request (timeout, 429 and 5xx after the client's own retries) marks the
summary ``failed`` and never touches the answers. Patient answers are never logged.
"""

import json
import logging
import time

import httpx
import openai
from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils import timezone

from intake import signals
from intake.bullets import Bullet, Summary, verify
from intake.models import IntakeSubmission, Topic
from intake.reading import FREE_TEXT, ORDER, PROTECTED, Reading, Statement, answer_text, read

logger = logging.getLogger(__name__)

PROMPT = """You are a medical intake assistant. Summarize the following patient intake form responses for a doctor's pre-visit review.

Focus on:
- Chief complaint / reason for visit
- Current medications
- Allergies
- Relevant medical history
- Key concerns the patient mentioned

Keep the summary concise (3-5 bullet points).

Patient responses:
{responses}
"""  # noqa: E501 - the guide's prompt, word for word
# What the model must answer: bullets with their topic and the answers they came from.
OUTPUT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["bullets"],
    "properties": {
        "bullets": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["topic", "text", "field_keys"],
                "properties": {
                    "topic": {"type": "string", "enum": list(Topic.values)},
                    "text": {"type": "string"},
                    "field_keys": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
INSTRUCTIONS = " ".join(
    [
        "Answer with JSON that fits the schema: 3 to 5 bullets (at most 6), in the order",
        "chief_complaint, medications, allergies, history, concerns, other.",
        "Each bullet has its topic, its text starting with the topic's name",
        '(like "Allergies: ..."), and the keys (at least one) of the patient responses',
        "it comes from. Use only what the responses say: name no medicine, allergy or",
        "condition the patient did not write. Put every medication under medications",
        "and every allergy under allergies, as the patient wrote them, even when they",
        "were written under another question. Write that the patient has no allergies,",
        "medications or history only when a response says so.",
    ]
)
MAX_BULLETS = 6  # the guide's 3-5, and "Other answers"
MAX_BULLET_CHARS = 600

# Local bullets: answers outside medications and allergies are shortened, longest
# first, until the summary fits; medications and allergies never are.
MAX_SUMMARY_CHARS = 2000
PIECE_CHARS = (300, 240, 180, 120, 80)
ALWAYS = (Topic.CHIEF_COMPLAINT, Topic.MEDICATIONS, Topic.ALLERGIES)
HEADINGS = dict(Topic.choices)


class SummaryFailed(Exception):
    """The summarizer gave nothing usable; the message is safe to show and store."""


class UnusableReply(Exception):
    """OpenAI answered, but not with bullets that can be checked."""


def _shorten(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;.") + "…"


def _shown(statement: Statement) -> str:
    said = statement.said.removesuffix(".")  # the bullet's own "; " separates them
    if statement.mention:
        return f"{said} (under “{statement.question}”)"
    if statement.kind in FREE_TEXT and statement.topic != Topic.OTHER:
        return said
    return f"{statement.question}: {said}"


def _quoted(statement: Statement) -> str:
    if statement.said == "not ticked":
        return f"“{statement.label}” not ticked"
    return f"“{statement.label}”: {statement.said}"


def _bullets(reading: Reading, order: dict[str, int], limit: int | None) -> list[Bullet]:
    bullets = []
    for topic in ORDER:
        positives, negatives = reading.positives(topic), reading.negatives(topic)
        cut = None if topic in PROTECTED else limit
        if positives:
            body = "; ".join(_shorten(_shown(s), cut) for s in positives)
            if negatives:
                body += "; " + "; ".join(_quoted(s) for s in negatives)
            keys = [s.key for s in positives + negatives]
        elif negatives:
            body = "none (" + "; ".join(_quoted(s) for s in negatives) + ")"
            keys = [s.key for s in negatives]
        elif topic in ALWAYS:
            keys = reading.unanswered.get(topic, [])
            body = "not answered" if keys else "not asked"
        else:
            continue
        keys = sorted(dict.fromkeys(keys), key=order.__getitem__)
        bullets.append(Bullet(topic, f"{HEADINGS[topic]}: {body}", tuple(keys)))
    return bullets


def summarize_locally(fields: list[dict], responses: dict) -> Summary:
    """3-6 bullets from the answers, the same every time for the same answers.

    Every stated answer is in a bullet (paperwork tick boxes and "not applicable"
    aside); "none" only quotes a negative answer; a topic the form did not ask is
    "not asked" and one left blank "not answered"."""
    reading = read(fields, responses)
    order = {f["key"]: i for i, f in enumerate(fields)}
    for limit in PIECE_CHARS:
        bullets = _bullets(reading, order, limit)
        if sum(len(b.text) for b in bullets) <= MAX_SUMMARY_CHARS:
            break
    return Summary(tuple(bullets), source=IntakeSubmission.SummarySource.LOCAL)


def build_http_client() -> httpx.Client | None:
    """The HTTP client the OpenAI SDK uses; None for its default. Tests replace it
    with one on a mocked transport, so nothing leaves the machine."""
    return None


def _ask_openai(labelled: dict) -> str:
    client = openai.OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL,
        timeout=settings.OPENAI_TIMEOUT_SECONDS,
        max_retries=settings.OPENAI_MAX_RETRIES,
        http_client=build_http_client(),
    )
    try:
        completion = client.chat.completions.create(
            model=settings.OPENAI_MODEL,
            messages=[
                {"role": "system", "content": INSTRUCTIONS},
                {
                    "role": "user",
                    "content": PROMPT.format(responses=json.dumps(labelled, indent=2)),
                },
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "intake_summary", "strict": True, "schema": OUTPUT_SCHEMA},
            },
            max_tokens=500,
        )
    except openai.APITimeoutError:
        raise SummaryFailed("OpenAI timed out.") from None
    except openai.APIStatusError as exc:
        raise SummaryFailed(f"OpenAI answered {exc.status_code}.") from None
    except openai.APIError as exc:
        raise SummaryFailed(f"OpenAI request failed ({type(exc).__name__}).") from None
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        raise UnusableReply("no message") from None
    if getattr(message, "refusal", None):
        raise UnusableReply("the model refused")
    if not isinstance(message.content, str) or not message.content.strip():
        raise UnusableReply("no content")
    return message.content


def _parse(content: str, answered: dict[str, int]) -> list[Bullet]:
    """The model's bullets, or UnusableReply saying what was wrong with them."""
    try:
        data = json.loads(content)
    except ValueError:
        raise UnusableReply("not JSON") from None
    items = data.get("bullets") if isinstance(data, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BULLETS:
        raise UnusableReply(f"not 1 to {MAX_BULLETS} bullets")
    bullets = []
    for item in items:
        if not isinstance(item, dict):
            raise UnusableReply("a bullet is not an object")
        topic, text, keys = item.get("topic"), item.get("text"), item.get("field_keys")
        if topic not in Topic.values:
            raise UnusableReply("a bullet has no known topic")
        if not isinstance(text, str) or not text.strip(" •-*\n"):
            raise UnusableReply("a bullet has no text")
        if len(text) > MAX_BULLET_CHARS:
            raise UnusableReply("a bullet is too long")
        if (
            not isinstance(keys, list)
            or not keys
            or not all(isinstance(k, str) and k in answered for k in keys)
        ):
            raise UnusableReply("a bullet does not name the answers it came from")
        bullets.append(
            Bullet(
                topic,
                " ".join(text.strip(" •-*\n").split()),
                tuple(sorted(dict.fromkeys(keys), key=answered.__getitem__)),
            )
        )
    return bullets


def summarize_with_openai(fields: list[dict], responses: dict) -> Summary:
    """OpenAI's bullets, checked against the answers (``bullets.verify``). A reply
    that is not checkable bullets gives the local summary, marked as the fallback;
    a failed request raises SummaryFailed."""
    reading = read(fields, responses)
    topics = {s.key: s.topic for s in reading.statements if not s.mention}
    # Keyed by field key: two questions may share a label.
    labelled = {
        field["key"]: {
            "question": field["label"],
            "answer": answer_text(field, responses[field["key"]]),
            **({"topic": topics[field["key"]]} if field["key"] in topics else {}),
        }
        for field in fields
        if responses.get(field["key"]) not in (None, "", [])
    }
    answered = {key: i for i, key in enumerate(labelled)}
    try:
        bullets = _parse(_ask_openai(labelled), answered)
    except UnusableReply as exc:
        local = summarize_locally(fields, responses)
        return Summary(
            local.bullets,
            source=IntakeSubmission.SummarySource.FALLBACK,
            note=f"OpenAI's reply was unusable ({exc}); this is the local summary.",
        )
    return verify(bullets, reading, source=IntakeSubmission.SummarySource.OPENAI)


def submission_summarize(submission_id) -> IntakeSubmission:
    """Writes the summary of one submission: ``ready`` with its source and sources.

    A failed try records its reason and leaves the summary ``pending``, owed, for
    the sweeper to queue again later (``intake.services.summaries_sweep``); the try
    that uses up ``SUMMARY_MAX_ATTEMPTS`` marks it ``failed``. Only the summary
    fields are ever written, and the final write survives a dropped connection."""
    submission = IntakeSubmission.objects.get(pk=submission_id)
    summarize = summarize_with_openai if settings.OPENAI_API_KEY else summarize_locally
    try:
        summary = summarize(submission.template_fields, submission.responses)
    except SummaryFailed as exc:
        logger.warning("Summary of intake submission %s failed: %s", submission.pk, exc)
        return _with_retries(_record_failure, submission, str(exc))
    except Exception as exc:
        logger.exception("Summary of intake submission %s failed unexpectedly", submission.pk)
        return _with_retries(
            _record_failure, submission, f"Unexpected error ({type(exc).__name__})."
        )
    if summary.note:
        logger.warning("Summary of intake submission %s: %s", submission.pk, summary.note)
    return _with_retries(_record_summary, submission, summary)


def _record_summary(submission: IntakeSubmission, summary: Summary) -> IntakeSubmission:
    with transaction.atomic():
        IntakeSubmission.objects.filter(pk=submission.pk).update(
            ai_summary=summary.text,
            ai_summary_sources=summary.sources,
            ai_summary_needs_review=summary.needs_review,
            ai_summary_status=IntakeSubmission.SummaryStatus.READY,
            ai_summary_source=summary.source,
            ai_summary_error=summary.note[:255],
            ai_summary_generated_at=timezone.now(),
        )
        submission.refresh_from_db()
        signals.summary_ready.send(sender=IntakeSubmission, submission=submission)
    return submission


def _record_failure(submission: IntakeSubmission, error: str) -> IntakeSubmission:
    """A failure keeps any earlier summary, with its source and sources. While tries
    remain the summary stays owed (pending) with the reason of this one."""
    tries = max(submission.ai_summary_attempts, 1)  # rows from before attempts counted
    last = tries >= settings.SUMMARY_MAX_ATTEMPTS
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        ai_summary_status=IntakeSubmission.SummaryStatus.FAILED
        if last
        else IntakeSubmission.SummaryStatus.PENDING,
        ai_summary_error=(error if last else f"Try {tries} failed: {error}")[:255],
    )
    submission.refresh_from_db()
    return submission


DB_WRITE_TRIES = 3


def _with_retries(write, submission, *args):
    """Runs a final write again after the database dropped the connection (a restart,
    a failover): the summary was paid for, and losing it would leave it owed."""
    for attempt in range(1, DB_WRITE_TRIES + 1):
        try:
            return write(submission, *args)
        except (OperationalError, InterfaceError):
            if attempt == DB_WRITE_TRIES:
                raise
            logger.warning(
                "Summary of intake submission %s: database connection lost, writing again",
                submission.pk,
            )
            close_old_connections()
            connection.close()
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")
