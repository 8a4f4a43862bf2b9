"""Periodic jobs for ``manage.py rqcron clinicflow.cron`` (the full stack's cron process)."""

from rq import cron

from intake.jobs import sweep_summaries_job
from scheduling.jobs import mark_no_shows_job

cron.register(mark_no_shows_job, queue_name="default", interval=300)
# Owed summaries whose job was lost come back within a minute of being overdue.
cron.register(sweep_summaries_job, queue_name="default", interval=60)
