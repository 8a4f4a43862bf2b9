"""A patient fills in the intake form in Chromium, on a phone and on a desktop, with
JavaScript on and off: wrong answers come back kept and explained with focus on the
error summary, right ones reach the clinic, and a used link says so."""

import pytest

from intake.models import IntakeSubmission
from intake.services import intake_send
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, IntakeFormTemplateFactory, PatientFactory
from tests.intake.helpers import MONDAY, fields

LONG_CONSENT = (
    "I confirm this information is accurate and agree to its use for my care, "
    "including sharing it with the doctors and nurses who treat me at this clinic"
)


@pytest.fixture
def intake_link(clinic, doctor, admin, site):
    """The path of a fresh link for Annabel's visit, sent as the front desk sends it."""
    clinic.phone = "+1 (555) 010-2000"
    clinic.save()
    template = IntakeFormTemplateFactory(
        clinic=clinic,
        name="New Patient Intake",
        description="A few questions before your visit.",
        fields=[
            {**field, "label": LONG_CONSENT} if field["key"] == "consent" else field
            for field in fields()
        ],
    )
    patient = PatientFactory(clinic=clinic, first_name="Annabel", last_name="Quistgaard")
    appointment = AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=MONDAY)
    url, _ = intake_send(appointment=appointment, template=template, by=admin)
    assert url.startswith(site + "/intake/")
    return url.removeprefix(site)


def fill_wrong(page) -> None:
    page.get_by_label("Reason for visit").fill("Rash on my elbow, itchy at night")
    page.get_by_label("Pain level (0-10)").fill("5-6")
    page.get_by_label("Current medications").fill("Ibuprofen 400 mg")
    page.get_by_role("radio", name="Former").check()
    page.get_by_role("checkbox", name="Asthma").check()
    # Consent (required) left unticked.


def send(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_patient_fixes_wrong_answers_and_sends_the_form(
    open_page, intake_link, viewport, javascript
):
    page = open_page(intake_link, viewport=viewport, javascript=javascript)
    assert page.get_by_role("heading", name="New Patient Intake").is_visible()

    fill_wrong(page)
    send(page)

    summary = page.locator("#problems")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "problems"
    assert page.title().startswith("Error:")
    assert summary.get_by_role("link").all_inner_texts() == [
        "Pain level (0-10): Enter a number from 0 to 10.",
        f"{LONG_CONSENT}: Please tick this box.",
    ]
    # Everything typed is still there, the bad number exactly as typed.
    assert page.get_by_label("Pain level (0-10)").input_value() == "5-6"
    assert page.get_by_label("Reason for visit").input_value() == (
        "Rash on my elbow, itchy at night"
    )
    assert page.get_by_role("radio", name="Former").is_checked()
    assert page.get_by_role("checkbox", name="Asthma").is_checked()
    assert not IntakeSubmission.objects.exists()

    page.get_by_label("Pain level (0-10)").fill("6")
    page.get_by_role("checkbox", name=LONG_CONSENT).check()
    send(page)

    assert page.get_by_role("heading", name="Thank you, Annabel!").is_visible()
    submission = IntakeSubmission.objects.get()
    assert submission.responses["pain_level"] == 6
    assert submission.responses["consent"] is True
    assert submission.responses["conditions"] == ["Asthma"]

    used = open_page(intake_link, viewport=viewport, javascript=javascript)
    assert used.get_by_role("heading", name="We already have your answers").is_visible()
    assert used.get_by_role("link", name="+1 (555) 010-2000").get_attribute("href") == (
        "tel:+15550102000"
    )


def test_error_summary_link_moves_to_the_field(open_page, intake_link):
    page = open_page(intake_link)
    fill_wrong(page)
    send(page)

    page.locator("#problems").get_by_role("link", name="Pain level").click()

    assert page.evaluate("document.activeElement.id") == "f-pain_level"


def test_every_checkbox_is_the_same_size(open_page, intake_link):
    page = open_page(intake_link, viewport="phone")

    sizes = {
        (round(box["width"]), round(box["height"]))
        for box in (checkbox.bounding_box() for checkbox in page.get_by_role("checkbox").all())
    }

    assert len(sizes) == 1, sizes
    width, height = sizes.pop()
    assert width == height >= 20  # 1.3rem of a 17px font, a comfortable target


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_form_fits_the_screen(open_page, intake_link, viewport):
    page = open_page(intake_link, viewport=viewport)

    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )

    assert overflow == 0


def test_link_without_its_trailing_slash_opens_the_form(open_page, intake_link):
    page = open_page(intake_link.rstrip("/"), javascript=False)

    assert page.get_by_role("heading", name="New Patient Intake").is_visible()


def test_cancelled_visit_tells_the_patient_whom_to_call(open_page, intake_link):
    Appointment.objects.update(status="cancelled")

    page = open_page(intake_link, javascript=False)

    assert page.get_by_role("heading", name="Your visit was cancelled").is_visible()
    assert page.get_by_text("Call Downtown Family Medicine at").is_visible()


def test_the_page_sends_no_referrer_and_sets_no_cookie(open_page, intake_link):
    page = open_page(intake_link)

    assert page.evaluate("document.referrer") == ""
    assert page.context.cookies() == []
