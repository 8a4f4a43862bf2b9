"""An owed summary is the database's state, not a Redis message: a failed try leaves
it pending with its reason, the sweeper queues it again after a growing wait, and
after the last attempt it is failed with the reason. A queue that is down after
commit never turns the patient's submit into a 500. The last tests use a real,
private redis-server that is killed under a queued job."""

import itertools
from datetime import time, timedelta

import django_rq
import httpx
import pytest
import redis
from django.db import OperationalError
from django.utils import timezone
from rq import SimpleWorker
from rq.cron import CronScheduler

from intake import summaries
from intake.jobs import generate_summary_job, sweep_summaries_job
from intake.models import IntakeSubmission
from intake.services import summaries_sweep
from tests.factories import AppointmentFactory, IntakeSubmissionFactory
from tests.intake.conftest import completion
from tests.intake.helpers import ANSWERS, MONDAY, SUBMISSIONS, answers, fields, public_url
from tests.redis_server import private_redis_server

pytestmark = pytest.mark.django_db

Status = IntakeSubmission.SummaryStatus
HOURS = itertools.count()  # each owed() visit at its own hour: no overlap
BOOM = httpx.Response(500, json={"error": {"message": "boom"}})


@pytest.fixture(autouse=True)
def three_tries(settings):
    settings.SUMMARY_MAX_ATTEMPTS = 3
    settings.SUMMARY_RETRY_SECONDS = 120


def owed(
    doctor, template, *, attempts=1, queued_ago=0, status=Status.PENDING, **extra
) -> IntakeSubmission:
    visit = AppointmentFactory(
        doctor=doctor.doctor, scheduled_date=MONDAY, start_time=time(8 + next(HOURS) % 10, 0)
    )
    return IntakeSubmissionFactory(
        appointment=visit,
        template=template,
        template_fields=fields(),
        responses=dict(ANSWERS),
        ai_summary_status=status,
        ai_summary_attempts=attempts,
        ai_summary_requested_at=timezone.now() - timedelta(seconds=queued_ago),
        **extra,
    )


def fresh(submission) -> IntakeSubmission:
    submission.refresh_from_db()
    return submission


def test_a_failed_try_leaves_the_summary_owed_with_its_reason(doctor, template, openai_api):
    openai_api.reply(BOOM)
    submission = owed(doctor, template)

    generate_summary_job(str(submission.pk))

    submission = fresh(submission)
    assert submission.ai_summary_status == Status.PENDING
    assert submission.ai_summary_error == "Try 1 failed: OpenAI answered 500."
    assert submission.responses == ANSWERS


def test_the_last_try_that_fails_marks_the_summary_failed(doctor, template, openai_api):
    openai_api.reply(BOOM)
    submission = owed(doctor, template, attempts=3)

    generate_summary_job(str(submission.pk))

    submission = fresh(submission)
    assert submission.ai_summary_status == Status.FAILED
    assert submission.ai_summary_error == "OpenAI answered 500."


def test_the_sweeper_queues_an_overdue_summary_and_it_ends_ready(
    doctor, template, openai_api, django_capture_on_commit_callbacks
):
    openai_api.reply(BOOM)
    submission = owed(doctor, template)
    generate_summary_job(str(submission.pk))
    openai_api.reply(httpx.Response(200, json=completion()))

    later = timezone.now() + timedelta(seconds=121)
    with django_capture_on_commit_callbacks(execute=True):
        sweep = summaries_sweep(now=later)

    assert (sweep.requeued, sweep.gave_up) == (1, 0)
    submission = fresh(submission)
    assert submission.ai_summary_status == Status.READY
    assert submission.ai_summary_attempts == 2
    assert submission.ai_summary_requested_at == later
    assert submission.ai_summary_error == ""


@pytest.mark.parametrize(
    ("attempts", "queued_ago", "queued"),
    [
        (1, 100, False),  # not overdue yet: 120 s
        (1, 130, True),
        (2, 130, False),  # the second wait is twice as long: 240 s
        (2, 250, True),
    ],
)
def test_the_sweeper_waits_twice_as_long_after_each_try(
    doctor, template, attempts, queued_ago, queued, django_capture_on_commit_callbacks
):
    submission = owed(doctor, template, attempts=attempts, queued_ago=queued_ago)

    with django_capture_on_commit_callbacks(execute=True):
        sweep = summaries_sweep()

    assert sweep.requeued == int(queued)
    expected = Status.READY if queued else Status.PENDING
    assert fresh(submission).ai_summary_status == expected


def test_a_lost_job_out_of_attempts_is_failed_with_the_reason(doctor, template):
    submission = owed(
        doctor, template, attempts=3, queued_ago=600, ai_summary_error="Try 2 failed: timed out"
    )

    sweep = summaries_sweep()

    assert (sweep.requeued, sweep.gave_up) == (0, 1)
    submission = fresh(submission)
    assert submission.ai_summary_status == Status.FAILED
    assert submission.ai_summary_error == "No summary after 3 attempts: Try 2 failed: timed out"


def test_two_sweepers_queue_an_owed_summary_once(
    doctor, template, django_capture_on_commit_callbacks
):
    submission = owed(doctor, template, queued_ago=300)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = summaries_sweep(now=now)
        second = summaries_sweep(now=now)

    assert (first.requeued, second.requeued) == (1, 0)
    assert len(queued) == 1
    assert fresh(submission).ai_summary_attempts == 2


def test_ready_and_failed_summaries_are_not_owed(doctor, template):
    owed(doctor, template, queued_ago=3600, status=Status.READY)
    owed(doctor, template, queued_ago=3600, status=Status.FAILED)

    assert summaries_sweep() == type(summaries_sweep())(requeued=0, gave_up=0)


def test_the_summary_write_survives_a_dropped_connection(doctor, template, monkeypatch):
    submission = owed(doctor, template)
    real = summaries._record_summary
    calls = []

    def drop_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args)

    monkeypatch.setattr(summaries, "_record_summary", drop_once)
    monkeypatch.setattr(summaries.connection, "close", lambda: None)  # keep the test's
    monkeypatch.setattr(summaries.time, "sleep", lambda seconds: None)

    generate_summary_job(str(submission.pk))

    assert len(calls) == 2
    assert fresh(submission).ai_summary_status == Status.READY


def test_the_cron_process_sweeps_every_minute():
    """What ``manage.py rqcron clinicflow.cron`` loads (no Redis is reached)."""
    scheduler = CronScheduler(connection=redis.Redis())
    scheduler.load_config_from_file("clinicflow.cron")

    jobs = {job.func: job.interval for job in scheduler.get_jobs()}
    assert jobs[sweep_summaries_job] == 60


def test_the_submission_shows_how_owed_its_summary_is(api, admin, doctor, template):
    submission = owed(doctor, template, attempts=2, queued_ago=30)

    body = api(admin).get(f"{SUBMISSIONS}/{submission.pk}").json()

    assert body["ai_summary_status"] == "pending"
    assert body["ai_summary_attempts"] == 2
    assert body["ai_summary_requested_at"] is not None


# The queue down after commit -------------------------------------------------------------


@pytest.fixture
def queue_down(settings, monkeypatch):
    """Jobs go to RQ, and RQ's Redis refuses every connection."""
    settings.JOBS_INLINE = False

    def refused(*args, **kwargs):
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(django_rq, "get_queue", refused)


def test_a_submit_with_the_queue_down_answers_201_and_the_summary_stays_owed(
    anon, link, queue_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(public_url(link), {"responses": answers()})

    assert response.status_code == 201, response.content
    submission = IntakeSubmission.objects.get()
    assert submission.ai_summary_status == Status.PENDING
    assert submission.ai_summary_attempts == 1
    assert submission.ai_summary_requested_at is not None
    assert "the sweeper will" in caplog.text


def test_regenerate_with_the_queue_down_answers_202_pending(
    api, admin, doctor, template, queue_down, django_capture_on_commit_callbacks
):
    submission = owed(doctor, template, status=Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(f"{SUBMISSIONS}/{submission.pk}/regenerate-summary")

    assert response.status_code == 202, response.content
    assert response.json()["ai_summary_status"] == "pending"
    assert fresh(submission).ai_summary_attempts == 1


# A real Redis, killed under a queued job --------------------------------------------------


def work_off(queue_url: str) -> None:
    """Runs every queued job, in this process, as ``rqworker --burst`` would."""
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


@pytest.fixture
def redis_server():
    yield from private_redis_server()


@pytest.fixture
def private_queue(settings, redis_server):
    settings.JOBS_INLINE = False
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url, "DEFAULT_TIMEOUT": 60}}
    return redis_server


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_redis_restart_that_loses_the_queued_job_still_ends_ready(anon, link, private_queue):
    response = anon.post(public_url(link), {"responses": answers()})
    assert response.status_code == 201, response.content
    submission = IntakeSubmission.objects.get()
    assert django_rq.get_queue("default").count == 1

    private_queue.stop()  # the queued job dies with it
    private_queue.start()
    assert django_rq.get_queue("default").count == 0
    assert fresh(submission).ai_summary_status == Status.PENDING  # owed, and nothing queued

    summaries_sweep(now=timezone.now() + timedelta(seconds=121))
    work_off(private_queue.url)

    submission = fresh(submission)
    assert submission.ai_summary_status == Status.READY
    assert submission.ai_summary_attempts == 2
    assert "Glimmerberry pollen" in submission.ai_summary


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_submit_while_redis_is_down_is_saved_and_summarized_once_it_is_back(
    anon, link, private_queue
):
    private_queue.stop()

    response = anon.post(public_url(link), {"responses": answers()})

    assert response.status_code == 201, response.content
    submission = IntakeSubmission.objects.get()
    assert submission.ai_summary_status == Status.PENDING

    private_queue.start()
    summaries_sweep(now=timezone.now() + timedelta(seconds=121))
    work_off(private_queue.url)

    assert fresh(submission).ai_summary_status == Status.READY
