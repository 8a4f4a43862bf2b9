"""The doctor's pre-visit summary of an intake submission.

With ``OPENAI_API_KEY`` the OpenAI chat completions API writes it (the guide's
prompt, a model setting, a timeout, bounded retries with backoff on timeouts,
429 and 5xx — the client's own); without a key a local, deterministic summarizer
writes the same 3-5 bullets. A failure marks the summary ``failed`` and never
touches the answers. Patient answers are never logged.
"""

import json
import logging

import httpx
import openai
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake.models import FieldType, IntakeSubmission
from scheduling import events as live
from scheduling.models import Appointment

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
MAX_SUMMARY_CHARS = 2000


class SummaryFailed(Exception):
    """The summarizer gave nothing usable; the message is safe to show and store."""


# Which answers feed which bullet of the local summary, by words in key or label.
TOPICS = (
    ("Chief complaint", ("reason", "complaint", "symptom", "problem", "visit")),
    ("Medications", ("medication", "medicine", "meds", "prescription", "drug")),
    ("Allergies", ("allerg",)),
    ("Relevant history", ("history", "condition", "surgery", "diagnos", "chronic", "physical")),
    ("Concerns", ("concern", "question", "worry", "pain", "goal", "other", "note")),
)
ALWAYS = ("Chief complaint", "Medications", "Allergies")


def _answer_text(field: dict, value) -> str:
    if field["type"] == FieldType.CHECKBOX:
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).strip()


def _labelled(fields: list[dict], responses: dict) -> list[tuple[dict, str]]:
    return [
        (field, _answer_text(field, responses[field["key"]]))
        for field in fields
        if field["key"] in responses and responses[field["key"]] not in (None, "", [])
    ]


def summarize_locally(fields: list[dict], responses: dict) -> str:
    """3-5 bullets from the answers, the same every time for the same answers."""
    bullets: dict[str, list[str]] = {topic: [] for topic, _ in TOPICS}
    for field, text in _labelled(fields, responses):
        if field["type"] == FieldType.CHECKBOX:
            continue  # consent boxes and the like say nothing clinical
        words = f"{field['key']} {field['label']}".lower()
        for topic, needles in TOPICS:
            if any(needle in words for needle in needles):
                shown = text if len(text) <= 160 else text[:157].rstrip() + "..."
                if field["type"] == FieldType.NUMBER:
                    shown = f"{field['label']}: {shown}"
                bullets[topic].append(shown)
                break
    lines = []
    for topic, _ in TOPICS:
        if bullets[topic]:
            lines.append(f"• {topic}: {'; '.join(bullets[topic])}")
        elif topic in ALWAYS:
            lines.append(f"• {topic}: none reported")
    return "\n".join(lines[:5])


def build_http_client() -> httpx.Client | None:
    """The HTTP client the OpenAI SDK uses; None for its default. Tests replace it
    with one on a mocked transport, so nothing leaves the machine."""
    return None


def summarize_with_openai(fields: list[dict], responses: dict) -> str:
    # Keyed by field key: two questions may share a label.
    labelled = {
        field["key"]: {"question": field["label"], "answer": text}
        for field, text in _labelled(fields, responses)
    }
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
                {
                    "role": "user",
                    "content": PROMPT.format(responses=json.dumps(labelled, indent=2)),
                }
            ],
            max_tokens=500,
        )
    except openai.APITimeoutError:
        raise SummaryFailed("OpenAI timed out.") from None
    except openai.APIStatusError as exc:
        raise SummaryFailed(f"OpenAI answered {exc.status_code}.") from None
    except openai.APIError as exc:
        raise SummaryFailed(f"OpenAI request failed ({type(exc).__name__}).") from None
    try:
        text = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        text = None
    if not isinstance(text, str) or not text.strip():
        raise SummaryFailed("OpenAI returned no summary.")
    return text.strip()[:MAX_SUMMARY_CHARS]


def submission_summarize(submission_id) -> IntakeSubmission:
    """Writes the summary of one submission: ``ready`` with its source, or ``failed``
    with a short reason. Only the summary fields are ever written."""
    submission = IntakeSubmission.objects.get(pk=submission_id)
    use_openai = bool(settings.OPENAI_API_KEY)
    source = (
        IntakeSubmission.SummarySource.OPENAI
        if use_openai
        else IntakeSubmission.SummarySource.LOCAL
    )
    try:
        if use_openai:
            text = summarize_with_openai(submission.template_fields, submission.responses)
        else:
            text = summarize_locally(submission.template_fields, submission.responses)
    except SummaryFailed as exc:
        logger.warning("Summary of intake submission %s failed: %s", submission.pk, exc)
        return _record(
            submission, status=IntakeSubmission.SummaryStatus.FAILED, source=source, error=str(exc)
        )
    except Exception as exc:
        logger.exception("Summary of intake submission %s failed unexpectedly", submission.pk)
        return _record(
            submission,
            status=IntakeSubmission.SummaryStatus.FAILED,
            source=source,
            error=f"Unexpected error ({type(exc).__name__}).",
        )
    return _record(
        submission, status=IntakeSubmission.SummaryStatus.READY, source=source, text=text
    )


def _record(submission, *, status, source, text=None, error=""):
    """Writes the outcome; a failure keeps any earlier summary text."""
    values = {
        "ai_summary_status": status,
        "ai_summary_source": source,
        "ai_summary_error": error[:255],
    }
    if text is not None:
        values.update(ai_summary=text, ai_summary_generated_at=timezone.now())
    with transaction.atomic():
        IntakeSubmission.objects.filter(pk=submission.pk).update(**values)
        if text is not None:
            appointment = Appointment.objects.select_related("clinic__settings").get(
                pk=submission.appointment_id
            )
            live.intake_completed(appointment, has_summary=True)
    submission.refresh_from_db()
    return submission
