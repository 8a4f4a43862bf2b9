"""The one switch between background jobs on RQ and jobs run in-process.

``enqueue`` always waits for the current transaction to commit, so a job never
sees data that was rolled back. With ``JOBS_INLINE`` (the embedded default) the
job then runs right there, in this process; a failure is logged, never raised
into the request that caused it. Otherwise it goes to the RQ queue for
``manage.py rqworker``, with retries and backoff for an exception that escapes it.

A job is only a nudge: what must happen is the database's state (an owed summary
is ``pending``), and a periodic sweeper queues again what a lost job left undone.
So a queue that cannot be reached after commit is logged and left to the sweeper;
it never turns the committed request into a 500.
"""

import logging

import django_rq
from django.conf import settings
from django.db import transaction
from rq import Retry

logger = logging.getLogger(__name__)


# An exception that escapes a job (the database restarting under it): tried again
# after 10 s, 30 s and 90 s by the worker's scheduler.
RETRY = {"max": 3, "interval": [10, 30, 90]}


def enqueue(func, *args, queue: str = "default", timeout: int | None = None) -> None:
    """Runs ``func(*args)`` after commit: inline, or on RQ with ``timeout`` seconds
    (RQ's default, 300, when None)."""

    def send():
        if settings.JOBS_INLINE:
            try:
                func(*args)
            except Exception:
                logger.exception("Inline job %s failed", func.__name__)
        else:
            try:
                django_rq.get_queue(queue).enqueue(
                    func, *args, retry=Retry(**RETRY), job_timeout=timeout
                )
            except Exception:
                logger.warning(
                    "Job %s could not be queued; the sweeper will", func.__name__, exc_info=True
                )

    transaction.on_commit(send)
