"""Patients' intake answers for the staff: admins see their clinic's, a doctor those
of their own appointments, owners none; the doctor's preparation and detail views
carry the summary."""

import itertools
import uuid
from datetime import timedelta

import pytest

from intake.jobs import generate_summary_job
from tests.factories import AppointmentFactory, DoctorFactory, IntakeSubmissionFactory
from tests.intake.helpers import (
    ANSWERS,
    MONDAY,
    SUBMISSIONS,
    answers,
    appointment_url,
    assert_error,
    fields,
    public_url,
)

pytestmark = pytest.mark.django_db

# Pinned: the list costs the same for 3 rows and for 30 (no query per row).
LIST_QUERIES = {"admin": 3, "doctor": 3}


VISIT_DAYS = itertools.count(1)


def make_submission(doctor, template, **kwargs):
    """A submitted intake for a new visit with ``doctor`` (a user or a profile), each on
    its own day after MONDAY (PostgreSQL refuses overlapping visits of one doctor)."""
    profile = getattr(doctor, "doctor", doctor)
    visit = AppointmentFactory(
        doctor=profile,
        scheduled_date=MONDAY + timedelta(days=next(VISIT_DAYS)),
        intake_status="completed",
    )
    return IntakeSubmissionFactory(
        appointment=visit,
        template=template,
        template_fields=fields(),
        responses=dict(ANSWERS),
        **kwargs,
    )


@pytest.fixture
def mine(doctor, template):
    """A submission for Dr. Chen's appointment."""
    return make_submission(doctor, template, ai_summary="• Chief complaint: rash")


@pytest.fixture
def theirs(other_doctor, template):
    """A submission for Dr. Patel's appointment, same clinic."""
    return make_submission(other_doctor, template)


@pytest.fixture
def elsewhere(other_clinic):
    """A submission of another clinic."""
    return IntakeSubmissionFactory(
        appointment=AppointmentFactory(
            doctor=DoctorFactory(clinic=other_clinic), scheduled_date=MONDAY
        )
    )


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def detail(submission) -> str:
    return f"{SUBMISSIONS}/{submission.pk}"


# Listing ------------------------------------------------------------------------------


def test_admin_sees_every_submission_of_the_clinic(api, admin, mine, theirs, elsewhere):
    response = api(admin).get(SUBMISSIONS)

    assert ids(response) == {str(mine.pk), str(theirs.pk)}
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["id"] == str(mine.pk))
    assert row["appointment_id"] == str(mine.appointment_id)
    assert row["patient"]["id"] == str(mine.patient_id)
    assert row["doctor"]["name"] == "Dr. Chen"
    assert row["ai_summary"] == "• Chief complaint: rash"
    assert row["ai_summary_status"] == "pending"


def test_doctor_sees_only_submissions_of_their_own_appointments(
    api, doctor, mine, theirs, elsewhere
):
    assert ids(api(doctor).get(SUBMISSIONS)) == {str(mine.pk)}


def test_outsider_sees_none_of_ours(api, outsider_admin, mine, theirs, elsewhere):
    assert ids(api(outsider_admin).get(SUBMISSIONS)) == {str(elsewhere.pk)}


def test_owner_gets_403(api, owner, mine):
    assert_error(api(owner).get(SUBMISSIONS), 403)
    assert_error(api(owner).get(detail(mine)), 403)


def test_anonymous_gets_401(anon, mine):
    assert_error(anon.get(SUBMISSIONS), 401)
    assert_error(anon.get(detail(mine)), 401)


def test_filter_by_appointment(api, admin, mine, theirs):
    response = api(admin).get(SUBMISSIONS, {"appointment_id": str(theirs.appointment_id)})

    assert ids(response) == {str(theirs.pk)}


def test_filter_by_patient(api, admin, mine, theirs):
    response = api(admin).get(SUBMISSIONS, {"patient_id": str(mine.patient_id)})

    assert ids(response) == {str(mine.pk)}


@pytest.mark.parametrize("status", ["pending", "ready", "failed"])
def test_filter_by_summary_status(api, admin, doctor, template, status):
    made = {s: make_submission(doctor, template, ai_summary_status=s) for s in ("ready", "failed")}
    made["pending"] = make_submission(doctor, template)

    response = api(admin).get(SUBMISSIONS, {"ai_summary_status": status})

    assert ids(response) == {str(made[status].pk)}


def test_doctor_filtering_by_another_doctors_appointment_sees_nothing(api, doctor, theirs):
    response = api(doctor).get(SUBMISSIONS, {"appointment_id": str(theirs.appointment_id)})

    assert ids(response) == set()


@pytest.mark.parametrize(
    "query",
    [
        {"ai_summary_status": "done"},
        {"appointment_id": "not-a-uuid"},
        {"patient_id": "42"},
    ],
)
def test_bad_filters_get_400(api, admin, mine, query):
    response = api(admin).get(SUBMISSIONS, query)

    assert response.status_code == 400, response.content
    assert set(query) <= set(response.json())


# One submission ------------------------------------------------------------------------


def test_admin_reads_answers_and_summary(api, admin, theirs):
    response = api(admin).get(detail(theirs))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(theirs.pk)
    assert body["responses"] == ANSWERS
    assert body["template_fields"] == fields()
    assert body["template_version"] == 1
    for key in (
        "ai_summary",
        "ai_summary_status",
        "ai_summary_source",
        "ai_summary_generated_at",
        "ai_summary_error",
        "ai_summary_sources",
        "ai_summary_needs_review",
    ):
        assert key in body


def test_doctor_reads_each_summary_line_with_the_answers_it_came_from(api, doctor, mine):
    """Traceable: every line names the keys of the answers it came from."""
    generate_summary_job(str(mine.pk))

    body = api(doctor).get(detail(mine)).json()

    lines = body["ai_summary"].splitlines()
    assert [f"• {source['bullet']}" for source in body["ai_summary_sources"]] == lines
    by_topic = {source["topic"]: source["field_keys"] for source in body["ai_summary_sources"]}
    assert by_topic["chief_complaint"] == ["reason", "pain_level"]
    assert by_topic["medications"] == ["medications"]
    assert by_topic["allergies"] == ["allergies"]
    for source in body["ai_summary_sources"]:
        for key in source["field_keys"]:
            assert key in body["responses"]
    assert body["ai_summary_needs_review"] is False
    assert body["ai_summary_source"] == "local"


def test_doctor_reads_their_own(api, doctor, mine):
    response = api(doctor).get(detail(mine))

    assert response.status_code == 200
    assert response.json()["responses"] == ANSWERS


def test_doctor_gets_404_for_another_doctors(api, doctor, theirs):
    assert_error(api(doctor).get(detail(theirs)), 404)


def test_outsider_gets_404(api, outsider_admin, mine):
    assert_error(api(outsider_admin).get(detail(mine)), 404)


def test_unknown_submission_gets_404(api, admin):
    assert_error(api(admin).get(f"{SUBMISSIONS}/{uuid.uuid4()}"), 404)


def test_staff_cannot_create_submissions(api, admin, mine):
    """Patients submit through /api/public/intake/<token>; the collection takes no POST."""
    response = api(admin).post(SUBMISSIONS, {"responses": ANSWERS})

    assert response.status_code in (403, 405), response.content
    assert type(mine).objects.count() == 1


# The doctor's views ---------------------------------------------------------------------


def test_doctor_sees_the_summary_in_preparation(
    api, anon, doctor, link, appointment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert anon.post(public_url(link), {"responses": answers()}).status_code == 201

    response = api(doctor).get(appointment_url(appointment, "preparation"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["intake_complete"] is True
    assert body["intake_summary"].startswith("• Chief complaint: Zorblax rash")
    assert body["intake_summary"] == appointment.intake_submissions.get().ai_summary
    assert body["intake_summary_status"] == "ready"


def test_preparation_without_intake(api, doctor, appointment):
    body = api(doctor).get(appointment_url(appointment, "preparation")).json()

    assert body["intake_complete"] is False
    assert body["intake_summary"] is None


@pytest.mark.parametrize("role", ["admin", "doctor"])
def test_appointment_detail_carries_the_summary(
    request, api, anon, link, appointment, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert anon.post(public_url(link), {"responses": answers()}).status_code == 201
    submission = appointment.intake_submissions.get()

    response = api(request.getfixturevalue(role)).get(appointment_url(appointment, "detail"))

    assert response.status_code == 200, response.content
    intake = response.json()["intake"]
    assert intake["status"] == "completed"
    assert intake["submission_id"] == str(submission.pk)
    assert intake["ai_summary"] == submission.ai_summary
    assert intake["ai_summary"].startswith("• ")


def test_other_doctor_cannot_prepare_with_my_patients_intake(api, other_doctor, mine):
    assert_error(api(other_doctor).get(appointment_url(mine.appointment, "preparation")), 404)


# Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["admin", "doctor"])
def test_list_query_count_does_not_grow_with_rows(
    request, api, template, doctor, role, count, django_assert_max_num_queries
):
    for _ in range(count):
        make_submission(doctor, template)
    client = api(request.getfixturevalue(role))

    with django_assert_max_num_queries(LIST_QUERIES[role]):
        response = client.get(SUBMISSIONS, {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == count


def test_admin_console_regenerates_a_failed_summary(
    client, admin, django_capture_on_commit_callbacks
):
    """The ops console shows failed summaries and can queue them again."""
    from accounts.models import User
    from intake.models import IntakeSubmission
    from tests.factories import IntakeSubmissionFactory

    submission = IntakeSubmissionFactory(
        appointment__doctor__clinic=admin.clinic,
        ai_summary_status=IntakeSubmission.SummaryStatus.FAILED,
        ai_summary_error="OpenAI timed out.",
    )
    client.force_login(
        User.objects.create_superuser("ops@clinicflow.test", "an-operator-passphrase")
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/intake/intakesubmission/",
            {"action": "regenerate_summary", "_selected_action": [str(submission.pk)]},
        )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.ai_summary_status == IntakeSubmission.SummaryStatus.READY
    assert submission.ai_summary_error == ""


def test_admin_console_shows_each_summary_line_with_its_answers(client, admin):
    from accounts.models import User

    submission = IntakeSubmissionFactory(
        appointment__doctor__clinic=admin.clinic, template_fields=fields(), responses=ANSWERS
    )
    generate_summary_job(str(submission.pk))
    client.force_login(
        User.objects.create_superuser("ops@clinicflow.test", "an-operator-passphrase")
    )

    response = client.get(f"/admin/intake/intakesubmission/{submission.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Allergies: Glimmerberry pollen" in page
    assert "allergies (Allergies)" in page
    assert "reason (Reason for visit); pain_level (Pain level (0-10))" in page
