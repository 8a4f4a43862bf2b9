"""The ops console in Chromium: an operator reads an intake summary line by line,
each line beside the answers it came from."""

from accounts.models import User
from intake.jobs import generate_summary_job
from tests.factories import AppointmentFactory, IntakeSubmissionFactory
from tests.intake.helpers import ANSWERS, MONDAY, fields

PASSWORD = "an-operator-passphrase"


def test_operator_reads_each_summary_line_with_its_answers(open_page, site, clinic, doctor):
    visit = AppointmentFactory(doctor=doctor.doctor, scheduled_date=MONDAY)
    submission = IntakeSubmissionFactory(
        appointment=visit, template_fields=fields(), responses=dict(ANSWERS)
    )
    generate_summary_job(str(submission.pk))
    User.objects.create_superuser("ops@clinicflow.test", PASSWORD)

    page = open_page("/admin/login/", viewport="desktop")
    page.fill("#id_username", "ops@clinicflow.test")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(
        page.url.split("/admin/")[0] + f"/admin/intake/intakesubmission/{submission.pk}/change/"
    )

    table = page.locator("table", has_text="Answers")
    allergies = table.locator("tr", has_text="Allergies: Glimmerberry pollen")
    assert allergies.count() == 1
    assert "allergies (Allergies)" in allergies.inner_text()
    complaint = table.locator("tr", has_text="Chief complaint")
    assert "reason (Reason for visit)" in complaint.inner_text()
    assert allergies.is_visible()
