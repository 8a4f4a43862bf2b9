"""Intake form templates: admins manage their clinic's forms; bad definitions are
refused naming the field; edits make new versions and never break submissions."""

import uuid

import pytest

from intake.models import IntakeFormTemplate
from tests.factories import IntakeFormTemplateFactory
from tests.intake.helpers import (
    SUBMISSIONS,
    TEMPLATES,
    answers,
    assert_error,
    fields,
    public_url,
)

pytestmark = pytest.mark.django_db

TEXT = {"key": "reason", "label": "Reason for visit", "type": "text", "required": True}


def detail(template) -> str:
    return f"{TEMPLATES}/{template.pk}"


# Listing and reading ------------------------------------------------------------------


def test_admin_lists_the_clinics_templates(api, admin, template, other_clinic):
    IntakeFormTemplateFactory(clinic=other_clinic, name="Uptown form")

    response = api(admin).get(TEMPLATES)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    [row] = body["results"]
    assert row["id"] == str(template.pk)
    assert row["name"] == "New Patient Intake"
    assert row["version"] == 1
    assert row["is_active"] is True
    assert row["fields"] == fields()


def test_outsiders_list_does_not_show_our_templates(api, outsider_admin, template, other_clinic):
    theirs = IntakeFormTemplateFactory(clinic=other_clinic, name="Uptown form")

    response = api(outsider_admin).get(TEMPLATES)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(theirs.pk)]


def test_admin_reads_one_template(api, admin, template):
    response = api(admin).get(detail(template))

    assert response.status_code == 200
    assert response.json()["id"] == str(template.pk)
    assert response.json()["description"] == "A few questions before your visit."


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("get", "list", None),
        ("post", "list", {"name": "X", "fields": [TEXT]}),
        ("get", "detail", None),
        ("put", "detail", {"name": "Renamed"}),
    ],
)
@pytest.mark.parametrize("role", ["doctor", "owner"])
def test_doctor_and_owner_may_not_use_templates(request, api, template, role, method, target, body):
    user = request.getfixturevalue(role)
    url = TEMPLATES if target == "list" else detail(template)

    response = getattr(api(user), method)(url, body)

    assert_error(response, 403)
    template.refresh_from_db()
    assert template.name == "New Patient Intake"
    assert IntakeFormTemplate.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "target"), [("get", "list"), ("post", "list"), ("get", "detail"), ("put", "detail")]
)
def test_anonymous_gets_401(anon, template, method, target):
    url = TEMPLATES if target == "list" else detail(template)

    response = getattr(anon, method)(url, {"name": "X", "fields": [TEXT]})

    assert_error(response, 401)


@pytest.mark.parametrize("method", ["get", "put"])
def test_outsider_gets_404_on_our_template(api, outsider_admin, template, method):
    body = {"name": "Mine now"} if method == "put" else None
    response = getattr(api(outsider_admin), method)(detail(template), body)

    assert_error(response, 404)
    template.refresh_from_db()
    assert template.name == "New Patient Intake"


def test_unknown_template_id_is_404(api, admin):
    assert_error(api(admin).get(f"{TEMPLATES}/{uuid.uuid4()}"), 404)


# Creating -----------------------------------------------------------------------------


def test_admin_creates_a_template_for_their_clinic(api, admin, clinic):
    response = api(admin).post(
        TEMPLATES,
        {"name": "New Patient Intake", "description": "Before your visit", "fields": fields()},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "New Patient Intake"
    assert body["version"] == 1
    assert body["is_active"] is True
    assert body["fields"] == fields()
    template = IntakeFormTemplate.objects.get(pk=body["id"])
    assert template.clinic == clinic
    assert template.fields == fields()


def test_clinic_comes_from_the_admin_not_the_body(api, admin, clinic, other_clinic):
    response = api(admin).post(
        TEMPLATES, {"name": "Sneaky", "fields": [TEXT], "clinic": str(other_clinic.pk)}
    )

    assert response.status_code == 201
    assert IntakeFormTemplate.objects.get(pk=response.json()["id"]).clinic == clinic


def test_template_without_name_is_refused(api, admin):
    response = api(admin).post(TEMPLATES, {"fields": [TEXT]})

    assert response.status_code == 400
    assert "name" in response.json()


SELECT = {"key": "smoker", "label": "Smoke?", "type": "select", "options": ["Yes", "No"]}

# (case, fields sent, index of the bad field, attribute named in its errors)
BAD_FIELDS = [
    ("unknown type", [TEXT, {"key": "x", "label": "X", "type": "color"}], 1, "type"),
    ("missing type", [{"key": "x", "label": "X"}], 0, "type"),
    ("duplicate keys", [TEXT, {**TEXT, "label": "Again"}], 1, "key"),
    ("missing label", [{"key": "x", "type": "text"}], 0, "label"),
    ("blank label", [{"key": "x", "label": "  ", "type": "text"}], 0, "label"),
    ("select without options", [{**SELECT, "options": None}], 0, "options"),
    ("select with empty options", [{**SELECT, "options": []}], 0, "options"),
    ("select options not text", [{**SELECT, "options": [1, 2]}], 0, "options"),
    ("select duplicate options", [{**SELECT, "options": ["Yes", "Yes"]}], 0, "options"),
    (
        "multiselect without options",
        [{"key": "c", "label": "Conditions", "type": "multiselect"}],
        0,
        "options",
    ),
    ("options on a text field", [TEXT, {**TEXT, "key": "y", "options": ["a"]}], 1, "options"),
    ("options on a checkbox", [{**TEXT, "type": "checkbox", "options": ["a"]}], 0, "options"),
    ("required not a boolean", [{**TEXT, "required": "yes"}], 0, "required"),
    ("required as a number", [{**TEXT, "required": 1}], 0, "required"),
    ("key with spaces and capitals", [{**TEXT, "key": "Bad Key"}], 0, "key"),
    ("key starting with a digit", [{**TEXT, "key": "1st"}], 0, "key"),
    ("key with a dash", [{**TEXT, "key": "first-name"}], 0, "key"),
    ("missing key", [{"label": "X", "type": "text"}], 0, "key"),
    ("max_length on a number", [{**TEXT, "type": "number", "max_length": 5}], 0, "max_length"),
    ("max_length over the type's limit", [{**TEXT, "max_length": 501}], 0, "max_length"),
    ("max_length a boolean", [{**TEXT, "max_length": True}], 0, "max_length"),
    ("min on a text field", [{**TEXT, "min": 1}], 0, "min"),
    ("min above max", [{**TEXT, "type": "number", "min": 5, "max": 1}], 0, "max"),
    ("unknown topic", [TEXT, {**TEXT, "key": "y", "topic": "billing"}], 1, "topic"),
    ("topic not text", [{**TEXT, "topic": ["allergies"]}], 0, "topic"),
]


@pytest.mark.parametrize(
    ("bad", "index", "attribute"),
    [pytest.param(bad, index, attr, id=case) for case, bad, index, attr in BAD_FIELDS],
)
def test_invalid_field_definitions_are_refused_naming_the_field(api, admin, bad, index, attribute):
    response = api(admin).post(TEMPLATES, {"name": "Broken", "fields": bad})

    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"fields"}, body
    per_field = body["fields"]
    assert isinstance(per_field, list), body
    assert len(per_field) == len(bad), body
    assert all(isinstance(entry, dict) for entry in per_field), body
    assert attribute in per_field[index], body
    assert all(isinstance(message, str) for message in per_field[index][attribute])
    assert not any(entry for i, entry in enumerate(per_field) if i != index), body
    assert not IntakeFormTemplate.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param([], id="empty list"),
        pytest.param({"key": "x", "label": "X", "type": "text"}, id="an object"),
        pytest.param("reason", id="a string"),
        pytest.param(None, id="null"),
    ],
)
def test_fields_that_are_not_a_list_of_questions_are_refused(api, admin, bad):
    response = api(admin).post(TEMPLATES, {"name": "Broken", "fields": bad})

    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"fields"}, body
    assert body["fields"], body
    assert not IntakeFormTemplate.objects.exists()


def test_a_field_that_is_not_an_object_is_refused(api, admin):
    response = api(admin).post(TEMPLATES, {"name": "Broken", "fields": [TEXT, "age"]})

    assert response.status_code == 400
    assert response.json()["fields"][0] == {}
    assert response.json()["fields"][1]


# Updating -----------------------------------------------------------------------------


def test_put_is_partial(api, admin, template):
    response = api(admin).put(detail(template), {"name": "Renamed intake"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Renamed intake"
    assert body["description"] == "A few questions before your visit."
    assert body["fields"] == fields()
    assert body["version"] == 1
    template.refresh_from_db()
    assert template.name == "Renamed intake"
    assert template.fields == fields()


def test_admin_deactivates_a_template(api, admin, template):
    response = api(admin).put(detail(template), {"is_active": False})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    template.refresh_from_db()
    assert template.is_active is False


def test_changing_fields_bumps_the_version(api, admin, template):
    changed = [*fields(), {"key": "height", "label": "Height (cm)", "type": "number"}]

    response = api(admin).put(detail(template), {"fields": changed})

    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert [f["key"] for f in response.json()["fields"]][-1] == "height"
    template.refresh_from_db()
    assert template.version == 2


def test_admin_sets_the_topic_of_a_question_for_the_summary(api, admin, template):
    """A topic tells the summary what a free-text question is about."""
    asked = [*fields(), {"key": "before", "label": "Anything we should know?", "type": "text"}]
    asked[-1]["topic"] = "allergies"

    response = api(admin).put(detail(template), {"fields": asked})

    assert response.status_code == 200, response.content
    assert response.json()["fields"][-1] == {
        "key": "before",
        "label": "Anything we should know?",
        "type": "text",
        "required": False,
        "topic": "allergies",
    }
    assert response.json()["version"] == 2
    template.refresh_from_db()
    assert template.fields[-1]["topic"] == "allergies"
    # Leaving it out is fine: the summary reads the label instead.
    assert "topic" not in template.fields[0]


def test_sending_the_same_fields_keeps_the_version(api, admin, template):
    response = api(admin).put(detail(template), {"fields": fields(), "name": "Same questions"})

    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_invalid_fields_on_update_are_refused_and_nothing_changes(api, admin, template):
    response = api(admin).put(
        detail(template), {"name": "Broken", "fields": [{"key": "x", "type": "color"}]}
    )

    assert response.status_code == 400
    assert "type" in response.json()["fields"][0]
    template.refresh_from_db()
    assert template.name == "New Patient Intake"
    assert template.version == 1
    assert template.fields == fields()


def test_template_edits_never_break_an_existing_submission(
    api, anon, admin, template, link, django_capture_on_commit_callbacks
):
    """A submission keeps the questions its patient answered, whatever the form becomes."""
    with django_capture_on_commit_callbacks(execute=True):
        submitted = anon.post(public_url(link), {"responses": answers()})
    assert submitted.status_code == 201, submitted.content

    edit = api(admin).put(
        detail(template),
        {"fields": [{"key": "weight", "label": "Weight (kg)", "type": "number", "required": True}]},
    )
    assert edit.status_code == 200
    assert edit.json()["version"] == 2

    listing = api(admin).get(SUBMISSIONS)
    assert listing.status_code == 200
    [row] = listing.json()["results"]
    assert row["template_version"] == 1
    response = api(admin).get(f"{SUBMISSIONS}/{row['id']}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["template_version"] == 1
    assert body["template_fields"] == fields()
    assert body["responses"]["reason"] == answers()["reason"]
    assert body["ai_summary_status"] == "ready"


def test_each_change_of_fields_is_a_new_version(api, admin, template):
    client = api(admin)
    for n in range(3):
        response = client.put(
            detail(template),
            {"fields": [{"key": f"q{n}", "label": f"Question {n}", "type": "text"}]},
        )
        assert response.status_code == 200
        assert response.json()["version"] == n + 2
    template.refresh_from_db()
    assert template.version == 4
