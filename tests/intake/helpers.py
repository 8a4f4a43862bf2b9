"""Small helpers shared by the intake tests: the form every test fills in, answers
that fit it, URLs, and a tiny HTML reader for the patient's page.

Every visit lies far in the future (Monday 2030-01-07, New York), so links do not
expire on their own; tests about expiry freeze the clock.
"""

import hashlib
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
MONDAY = date(2030, 1, 7)
TUESDAY = date(2030, 1, 8)
WEDNESDAY = date(2030, 1, 9)

TEMPLATES = "/api/intake/templates"
SUBMISSIONS = "/api/intake/submissions"

# One question of every type; "language" has more than five options (a <select>),
# "smoker" five or fewer (radio buttons).
FIELDS = [
    {"key": "reason", "label": "Reason for visit", "type": "textarea", "required": True},
    {"key": "medications", "label": "Current medications", "type": "text", "required": False},
    {"key": "allergies", "label": "Allergies", "type": "text", "required": False},
    {
        "key": "pain_level",
        "label": "Pain level (0-10)",
        "type": "number",
        "required": False,
        "min": 0,
        "max": 10,
    },
    {"key": "last_checkup", "label": "Date of last check-up", "type": "date", "required": False},
    {
        "key": "smoker",
        "label": "Do you smoke?",
        "type": "select",
        "required": False,
        "options": ["Never", "Former", "Current"],
    },
    {
        "key": "language",
        "label": "Preferred language",
        "type": "select",
        "required": False,
        "options": ["English", "Spanish", "French", "Mandarin", "Arabic", "Haitian Creole"],
    },
    {
        "key": "conditions",
        "label": "Existing conditions",
        "type": "multiselect",
        "required": False,
        "options": ["Asthma", "Diabetes", "Hypertension"],
    },
    {
        "key": "consent",
        "label": "I confirm my answers are correct",
        "type": "checkbox",
        "required": True,
    },
]

# Distinctive strings, so a test can tell whether an answer leaked somewhere.
ANSWERS = {
    "reason": "Zorblax rash on the left elbow since March",
    "medications": "Quintaprilex 5mg daily",
    "allergies": "Glimmerberry pollen",
    "pain_level": 4,
    "last_checkup": "2029-06-01",
    "smoker": "Former",
    "language": "Spanish",
    "conditions": ["Asthma", "Hypertension"],
    "consent": True,
}
SECRETS = ("Zorblax", "Quintaprilex", "Glimmerberry")


def fields() -> list[dict]:
    return [dict(field) for field in FIELDS]


def answers(**changes) -> dict:
    """ANSWERS with some changed; a value of ``...`` drops the key."""
    result = {**ANSWERS, **changes}
    return {key: value for key, value in result.items() if value is not ...}


def raw_token(intake_url: str) -> str:
    """The secret of a link: the last path segment of ``intake_url``."""
    return intake_url.rstrip("/").rsplit("/", 1)[-1]


def sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def public_url(token: str) -> str:
    return f"/api/public/intake/{token}"


def page_url(token: str) -> str:
    return f"/intake/{token}/"


def appointment_url(appointment, action: str | None = None) -> str:
    pk = getattr(appointment, "pk", appointment)
    return f"/api/appointments/{pk}/{action}" if action else f"/api/appointments/{pk}"


def local(day: date, at: str) -> datetime:
    """The moment (UTC) a clinic clock in New York shows ``day at``."""
    return datetime.combine(day, time.fromisoformat(at), tzinfo=NY).astimezone(UTC)


def parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def assert_error(response, status: int, code: str | None = None) -> dict:
    """A ``{"detail", "code", ...}`` refusal with this status (and code)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert "detail" in body, body
    if code is not None:
        assert body["code"] == code, body
    return body


# Recorded SMS (settings.SMS_SENDER points at record_sms in the tests that need it).
SENT_SMS: list[tuple[str, str]] = []


def record_sms(phone: str, message: str) -> None:
    SENT_SMS.append((phone, message))


class Page(HTMLParser):
    """The controls of an HTML page and how they are labelled.

    ``controls``: one dict per input/select/textarea (its attributes, the tag, and
    ``wrapped``: whether a <label> encloses it). ``labels_for``: ids that a
    ``<label for=...>`` names. ``legends``: the text of each <legend>.
    ``textareas``: the text in each textarea by name. ``options``: each <option>'s
    attributes and ``text``. ``tags``: every start tag seen.
    """

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []
        self.labels_for: set[str] = set()
        self.tags: list[str] = []
        self.legends: list[str] = []
        self.textareas: dict[str, str] = {}
        self.options: list[dict] = []
        self._label_depth = 0
        self._in_legend = False
        self._textarea: str | None = None
        self._option: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.labels_for.add(attrs["for"])
        elif tag == "legend":
            self._in_legend = True
            self.legends.append("")
        elif tag in ("input", "select", "textarea"):
            self.controls.append({"tag": tag, "wrapped": self._label_depth > 0, **attrs})
            if tag == "textarea":
                self._textarea = attrs.get("name")
                self.textareas[self._textarea] = ""
        elif tag == "option":
            self._option = {**attrs, "text": ""}
            self.options.append(self._option)

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1
        elif tag == "legend":
            self._in_legend = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data):
        if self._in_legend:
            self.legends[-1] += data
        if self._textarea is not None:
            self.textareas[self._textarea] += data
        if self._option is not None:
            self._option["text"] += data

    def named(self, name: str) -> list[dict]:
        return [c for c in self.controls if c.get("name") == name]
