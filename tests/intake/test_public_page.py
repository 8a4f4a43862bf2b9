"""The patient's intake page at ``/intake/<token>/``: server-rendered HTML that works
without JavaScript or cookies, labelled controls, errors shown inline and in a
summary with what was typed kept, and pages in the patient's words for links that
no longer work. tests/browser/ runs the same page in Chromium."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from intake.models import IntakeSubmission, IntakeToken
from scheduling.models import Appointment
from tests.intake.helpers import FIELDS, Page, answers, page_url, public_url

pytestmark = pytest.mark.django_db


def valid_post() -> dict:
    """The answers as a browser sends them: text everywhere, repeated keys for
    multiselect, a checkbox present when ticked."""
    return {
        "reason": "Zorblax rash on the left elbow",
        "medications": "Quintaprilex 5mg",
        "allergies": "Glimmerberry pollen",
        "pain_level": "4",
        "last_checkup": "2029-06-01",
        "smoker": "Former",
        "language": "Spanish",
        "conditions": ["Asthma", "Hypertension"],
        "consent": "on",
    }


def assert_html(response, status: int) -> str:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<script" not in html.lower()  # works without JavaScript
    return html


# The form ---------------------------------------------------------------------------------


def test_page_shows_the_visit_and_the_form(client, link):
    html = assert_html(client.get(page_url(link)), 200)

    assert "Downtown Family Medicine" in html
    assert "Dr. Chen" in html
    assert "Annabel" in html
    assert "Monday, January 7" in html
    assert "10:00 AM" in html
    assert "New Patient Intake" in html
    assert "Quistgaard" not in html
    assert "annabel.q@example.org" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<form method="post"' in html


def test_page_shows_the_forms_own_description(client, link):
    html = assert_html(client.get(page_url(link)), 200)

    assert "A few questions before your visit." in html


def test_link_without_its_trailing_slash_works(client, link):
    html = assert_html(client.get(page_url(link).rstrip("/")), 200)

    assert "New Patient Intake" in html
    assert_html(client.post(page_url(link).rstrip("/"), valid_post()), 200)
    assert IntakeSubmission.objects.count() == 1


def test_every_question_is_labelled(client, link):
    page = Page(client.get(page_url(link)).content.decode())

    for field in FIELDS:
        controls = page.named(field["key"])
        assert controls, field["key"]
        for control in controls:
            labelled = control.get("id") in page.labels_for or control["wrapped"]
            assert labelled, (field["key"], control)
        if len(controls) == 1:
            assert controls[0].get("id") in page.labels_for, field["key"]
        else:  # a group of radio buttons or checkboxes is named by its legend
            assert any(field["label"] in legend for legend in page.legends), field["key"]


@pytest.mark.parametrize(
    ("key", "tag", "kind"),
    [
        ("reason", "textarea", None),
        ("medications", "input", "text"),
        ("pain_level", "input", "text"),
        ("last_checkup", "input", "date"),
        ("smoker", "input", "radio"),
        ("language", "select", None),
        ("conditions", "input", "checkbox"),
        ("consent", "input", "checkbox"),
    ],
)
def test_each_field_type_gets_its_own_control(client, link, key, tag, kind):
    page = Page(client.get(page_url(link)).content.decode())

    controls = page.named(key)
    assert controls
    assert {control["tag"] for control in controls} == {tag}
    if kind:
        assert {control.get("type") for control in controls} == {kind}
    options = next(f.get("options") for f in FIELDS if f["key"] == key)
    if kind in ("radio", "checkbox") and options:
        assert sorted(control["value"] for control in controls) == sorted(options)


def test_text_from_the_clinic_is_escaped(client, link, template):
    """A form's name, description, labels and options are text, never markup."""
    template.name = "Intake <script>alert(1)</script>"
    template.description = "<img src=x onerror=alert(2)>"
    template.fields = [
        {"key": "reason", "label": "<b>Why</b> are you coming?", "type": "text"},
        {
            "key": "pick",
            "label": "Pick",
            "type": "select",
            "options": ['"><script>alert(3)</script>', "B"],
        },
    ]
    template.save()

    html = assert_html(client.get(page_url(link)), 200)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<img" not in html
    assert "<b>Why</b>" not in html
    assert "&lt;b&gt;Why&lt;/b&gt;" in html


def test_select_offers_every_option(client, link):
    page = Page(client.get(page_url(link)).content.decode())

    offered = [option["text"] for option in page.options if option.get("value") != ""]
    language = next(field for field in FIELDS if field["key"] == "language")
    assert offered == language["options"]


# Submitting -------------------------------------------------------------------------------


def test_valid_answers_show_the_thank_you_page(client, link, appointment):
    html = assert_html(client.post(page_url(link), valid_post()), 200)

    assert "Thank you" in html
    assert "Downtown Family Medicine" in html
    submission = IntakeSubmission.objects.get()
    assert submission.responses == {
        **answers(),
        "reason": "Zorblax rash on the left elbow",
        "medications": "Quintaprilex 5mg",
    }
    appointment.refresh_from_db()
    assert appointment.intake_status == "completed"
    assert IntakeToken.objects.get().used_at is not None


def test_browser_answers_are_stored_as_typed_values(client, link):
    """Numbers as numbers, multiselect as a list, a ticked box as true."""
    assert client.post(page_url(link), valid_post()).status_code == 200

    stored = IntakeSubmission.objects.get().responses
    assert stored["pain_level"] == 4
    assert stored["conditions"] == ["Asthma", "Hypertension"]
    assert stored["consent"] is True


def test_errors_are_shown_inline_and_what_was_typed_is_kept(client, link):
    typed = {
        **valid_post(),
        "reason": "It itches <b>at night</b> & in the morning",
        "pain_level": "abc",
        "smoker": "Former",
        "conditions": ["Asthma", "Diabetes"],
        "last_checkup": "2024-13-01",
    }
    del typed["consent"]  # required, left unticked

    response = client.post(page_url(link), typed)

    html = assert_html(response, 422)
    page = Page(html)
    assert "Please tick this box." in html
    assert "Enter a number from 0 to 10." in html
    assert "Enter a date as YYYY-MM-DD." in html
    # Typed text is kept, and escaped.
    assert page.textareas["reason"] == "It itches <b>at night</b> & in the morning"
    assert "<b>at night</b>" not in html
    assert page.named("pain_level")[0]["value"] == "abc"
    assert page.named("medications")[0]["value"] == "Quintaprilex 5mg"
    assert page.named("last_checkup")[0]["value"] == "2024-13-01"
    # Chosen options stay chosen.
    checked = {c["value"] for c in page.named("conditions") if "checked" in c}
    assert checked == {"Asthma", "Diabetes"}
    assert [c["value"] for c in page.named("smoker") if "checked" in c] == ["Former"]
    assert [o["text"] for o in page.options if "selected" in o] == ["Spanish"]
    assert "consent" not in {c["name"] for c in page.controls if "checked" in c}
    # Fields in error say so to assistive technology.
    assert page.named("pain_level")[0].get("aria-invalid") == "true"
    assert not IntakeSubmission.objects.exists()
    assert IntakeToken.objects.get().used_at is None


def test_missing_required_answer_is_shown_on_the_page(client, link):
    html = assert_html(client.post(page_url(link), {**valid_post(), "reason": ""}), 422)

    assert "This question is required." in html
    assert not IntakeSubmission.objects.exists()


def test_corrected_answers_go_through(client, link):
    assert client.post(page_url(link), {**valid_post(), "pain_level": "abc"}).status_code == 422

    assert_html(client.post(page_url(link), valid_post()), 200)
    assert IntakeSubmission.objects.count() == 1


def test_number_box_takes_any_text_so_nothing_typed_is_lost(client, link):
    """A browser blanks what a type=number box cannot parse ("5-6") before sending it;
    a text box with a decimal keyboard sends what was typed, and the server explains."""
    control = Page(client.get(page_url(link)).content.decode()).named("pain_level")[0]

    assert control["type"] == "text"
    assert control["inputmode"] == "decimal"


@pytest.mark.parametrize("typed", ["5-6", "about 4", "1e3", "4/10"])
def test_a_number_that_is_not_one_is_kept_and_explained(client, link, typed):
    html = assert_html(client.post(page_url(link), {**valid_post(), "pain_level": typed}), 422)

    page = Page(html)
    assert page.named("pain_level")[0]["value"] == typed
    assert "Enter a number from 0 to 10." in html
    assert not IntakeSubmission.objects.exists()


@pytest.mark.parametrize("typed", ["11", "-1", "10.5"])
def test_a_number_outside_the_range_is_kept_and_explained(client, link, typed):
    html = assert_html(client.post(page_url(link), {**valid_post(), "pain_level": typed}), 422)

    assert Page(html).named("pain_level")[0]["value"] == typed
    assert "Enter a number from 0 to 10." in html


@pytest.mark.parametrize(("typed", "stored"), [("7", 7), (" 7.5 ", 7.5), ("7,5", 7.5), ("0", 0)])
def test_numbers_are_stored_as_numbers(client, link, typed, stored):
    assert_html(client.post(page_url(link), {**valid_post(), "pain_level": typed}), 200)

    assert IntakeSubmission.objects.get().responses["pain_level"] == stored


def test_the_range_is_told_before_the_patient_types(client, link):
    html = assert_html(client.get(page_url(link)), 200)

    assert "Enter a number from 0 to 10." in html


def test_error_summary_links_to_each_invalid_answer_and_takes_focus(client, link):
    typed = {**valid_post(), "reason": "", "pain_level": "5-6", "smoker": "Sometimes"}
    del typed["consent"]

    html = assert_html(client.post(page_url(link), typed), 422)

    summary = html[html.index('id="problems"') : html.index("</div>", html.index('id="problems"'))]
    assert "autofocus" in html[html.rindex("<div", 0, html.index('id="problems"')) :][:200]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [anchor for anchor, _ in links] == [
        "f-reason",
        "f-pain_level",
        "f-smoker-0",
        "f-consent",
    ]
    assert "Reason for visit: This question is required." in summary
    ids = {control.get("id") for control in Page(html).controls} | {"f-reason"}
    assert {anchor for anchor, _ in links} <= ids
    assert "<title>Error:" in html


def test_post_needs_no_cookie_or_csrf_token(link):
    """The one-time link is the credential (intake/pages.py says why): a browser that
    blocks cookies can still send its answers, and the page sets none."""
    browser = Client(enforce_csrf_checks=True)

    form = browser.get(page_url(link))
    response = browser.post(page_url(link), valid_post(), HTTP_ORIGIN="null")

    assert not form.cookies
    assert "csrfmiddlewaretoken" not in form.content.decode()
    assert_html(response, 200)
    assert IntakeSubmission.objects.count() == 1


# Links that do not work -------------------------------------------------------------------


def assert_problem_page(response, status: int, words: str) -> str:
    html = assert_html(response, status)
    assert words in html
    assert "<form" not in html
    assert not html.lstrip().startswith("{")
    return html


def test_unknown_link_shows_a_404_page(client, link):
    html = assert_problem_page(client.get(page_url("A" * 43)), 404, "We can’t open this form")

    assert "opened the whole link" in html


def test_syntactically_odd_link_is_a_plain_404(client):
    response = client.get("/intake/not.a.token/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.fixture
def clinic_phone(clinic):
    clinic.phone = "+1 (555) 010-2000"
    clinic.save()
    return clinic.phone


def assert_tells_whom_to_call(html: str) -> None:
    assert "Call Downtown Family Medicine at" in html
    assert '<a href="tel:+15550102000">+1 (555) 010-2000</a>' in html


def test_expired_link_shows_a_410_page(client, link, freeze, clinic_phone):
    freeze(IntakeToken.objects.get().expires_at)

    html = assert_problem_page(client.get(page_url(link)), 410, "This link has expired")
    assert "your visit with Dr. Chen on Monday, January 7" in html
    assert_tells_whom_to_call(html)
    assert_problem_page(client.post(page_url(link), valid_post()), 410, "This link has expired")
    assert not IntakeSubmission.objects.exists()


def test_problem_page_without_a_clinic_phone_names_the_clinic(client, link, freeze):
    freeze(IntakeToken.objects.get().expires_at)

    html = assert_problem_page(client.get(page_url(link)), 410, "This link has expired")

    assert "Downtown Family Medicine can help you with this form." in html
    assert "tel:" not in html


def test_link_works_until_the_last_second(client, link, freeze):
    freeze(IntakeToken.objects.get().expires_at - timedelta(seconds=1))

    assert_html(client.get(page_url(link)), 200)


def test_replaced_link_shows_a_410_page(
    client, link, appointment, template, send_link, clinic_phone
):
    send_link(appointment, template)

    html = assert_problem_page(client.get(page_url(link)), 410, "There’s a newer link")
    assert "only the newest link works" in html
    assert_tells_whom_to_call(html)


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_cancelled_visit_shows_a_410_page(client, link, appointment, clinic_phone, status):
    Appointment.objects.filter(pk=appointment.pk).update(status=status)

    html = assert_problem_page(client.get(page_url(link)), 410, "Your visit was cancelled")
    assert "Your visit with Dr. Chen on Monday, January 7 was cancelled" in html
    assert_tells_whom_to_call(html)


def test_visit_under_way_shows_a_410_page(client, link, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(status="arrived")

    html = assert_problem_page(client.get(page_url(link)), 410, "This form is closed")
    assert "the front desk will help you" in html


def test_used_link_shows_a_409_page(client, anon, link, clinic_phone):
    assert anon.post(public_url(link), {"responses": answers()}).status_code == 201

    html = assert_problem_page(client.get(page_url(link)), 409, "We already have your answers")
    assert_tells_whom_to_call(html)
    assert_problem_page(
        client.post(page_url(link), valid_post()), 409, "We already have your answers"
    )
    assert IntakeSubmission.objects.count() == 1


def test_page_is_throttled_per_ip(client, link):
    here = {"REMOTE_ADDR": "198.51.100.20"}
    statuses = [client.get(page_url(link), **here).status_code for _ in range(31)]

    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert client.get(page_url(link), REMOTE_ADDR="198.51.100.21").status_code == 200


def test_page_is_not_indexed_cached_or_framed_and_sends_no_referrer(client, link):
    response = client.get(page_url(link))
    html = assert_html(response, 200)

    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert '<meta name="referrer" content="no-referrer">' in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store, private"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "form-action 'self'" in response["Content-Security-Policy"]


def test_problem_pages_are_private_too(client):
    response = client.get(page_url("A" * 43))

    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "no-referrer"
