"""RQ jobs of the intake flow (queued through clinicflow.jobs.enqueue)."""

from intake.summaries import submission_summarize


def generate_summary_job(submission_id: str) -> str:
    """Summarize one intake submission; returns its summary status."""
    return submission_summarize(submission_id).ai_summary_status
