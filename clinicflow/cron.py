"""Periodic jobs for ``manage.py rqcron clinicflow.cron`` (the full stack's cron process)."""

from rq import cron

from scheduling.jobs import mark_no_shows_job

cron.register(mark_no_shows_job, queue_name="default", interval=300)
