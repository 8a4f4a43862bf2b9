"""Background jobs: in-process after commit by default, on RQ with Redis."""

import contextlib

import django_rq
import pytest
from django.db import transaction
from rq.worker import SimpleWorker

from clinicflow.jobs import enqueue
from intake.jobs import generate_summary_job
from intake.models import IntakeSubmission
from tests.factories import IntakeSubmissionFactory

calls = []


def record_call(value):
    calls.append(value)


def failing_job():
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _no_calls():
    calls.clear()


def test_inline_job_runs_only_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue(record_call, "after commit")
        assert calls == []

    assert len(callbacks) == 1
    assert calls == ["after commit"]


def test_inline_job_failure_is_logged_not_raised(db, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(failing_job)

    assert "Inline job failing_job failed" in caplog.text


def test_work_that_rolls_back_queues_nothing(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(record_call, "rolled back")
        raise RuntimeError("the service failed")

    assert callbacks == []
    assert calls == []


@pytest.mark.redis
def test_with_redis_the_summary_job_goes_to_rq_and_the_worker_runs_it(
    db, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_INLINE = False
    queue = django_rq.get_queue("default")
    queue.empty()
    submission = IntakeSubmissionFactory()

    with django_capture_on_commit_callbacks(execute=True):
        enqueue(generate_summary_job, str(submission.pk))

    assert queue.count == 1
    assert queue.jobs[0].func_name == "intake.jobs.generate_summary_job"
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    submission.refresh_from_db()
    assert submission.ai_summary_status == IntakeSubmission.SummaryStatus.READY
    assert submission.ai_summary_source == IntakeSubmission.SummarySource.LOCAL
