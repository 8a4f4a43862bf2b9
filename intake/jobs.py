"""RQ jobs of the intake flow (queued through clinicflow.jobs.enqueue)."""

from contextvars import ContextVar

from django.conf import settings

from intake.summaries import submission_summarize

# In the embedded mode (jobs inline) there is no cron process: each summary job also
# sweeps, and this keeps the jobs that sweep queues from sweeping in turn.
_sweeping: ContextVar[bool] = ContextVar("sweeping", default=False)


def generate_summary_job(submission_id: str) -> str:
    """Summarize one intake submission; returns its summary status."""
    status = submission_summarize(submission_id).ai_summary_status
    if settings.JOBS_INLINE and not _sweeping.get():
        sweep_summaries_job()
    return status


def sweep_summaries_job() -> int:
    """Queue again the summaries whose job was lost or whose try failed (cron)."""
    from intake.services import summaries_sweep  # services queue this module's jobs

    token = _sweeping.set(True)
    try:
        sweep = summaries_sweep()
    finally:
        _sweeping.reset(token)
    return sweep.requeued + sweep.gave_up
