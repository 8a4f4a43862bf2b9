"""RQ jobs of the scheduling engine (run by the worker; see clinicflow/cron.py)."""

import logging

from scheduling.services import appointments_mark_no_shows

logger = logging.getLogger(__name__)


def mark_no_shows_job() -> int:
    marked = appointments_mark_no_shows()
    logger.info("Marked %d appointments as no-shows", marked)
    return marked
