"""The one switch between background jobs on RQ and jobs run in-process.

``enqueue`` always waits for the current transaction to commit, so a job never
sees data that was rolled back. With ``JOBS_INLINE`` (the embedded default) the
job then runs right there, in this process; a failure is logged, never raised
into the request that caused it. Otherwise it goes to the RQ queue for
``manage.py rqworker``.
"""

import logging

import django_rq
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(func, *args, queue: str = "default") -> None:
    def send():
        if settings.JOBS_INLINE:
            try:
                func(*args)
            except Exception:
                logger.exception("Inline job %s failed", func.__name__)
        else:
            django_rq.get_queue(queue).enqueue(func, *args)

    transaction.on_commit(send)
