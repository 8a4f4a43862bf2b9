"""Live updates: who hears what is decided by channel-layer group membership.

Groups (joined by the consumer after authentication):
- ``clinic-<id>-admins``: every event of the clinic;
- ``doctor-<id>``: events about that doctor's appointments;
- ``clinic-<id>-owners``: ``metrics:updated`` only, counts without patient data;
- ``user-<id>`` and ``session-<id>``: control messages (the user was disabled or
  signed out: close the socket).

Events are published after the transaction commits (Zulip's rule: never announce
what may still roll back) into the clinic's event log (clinicflow/event_log.py),
which numbers them; the groups' sockets are then told to read the log. A log or
channel layer that is down loses the event, never the request: the error is logged.
What is announced, and to whom, is the dashboard's (``dashboard/live.py``); each
command announces once, so nothing here merges or reorders.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from clinicflow.event_log import event_log

logger = logging.getLogger(__name__)

APPOINTMENT_CREATED = "appointment:created"
APPOINTMENT_UPDATED = "appointment:updated"
APPOINTMENT_CANCELLED = "appointment:cancelled"
INTAKE_COMPLETED = "intake:completed"
METRICS_UPDATED = "metrics:updated"


def admins_group(clinic_id) -> str:
    return f"clinic-{clinic_id}-admins"


def owners_group(clinic_id) -> str:
    return f"clinic-{clinic_id}-owners"


def doctor_group(doctor_id) -> str:
    return f"doctor-{doctor_id}"


def user_group(user_id) -> str:
    return f"user-{user_id}"


def session_group(session_id) -> str:
    return f"session-{session_id}"


def _send(groups: list[str], message: dict) -> None:
    """Pings every group at once, within ``LIVE_EVENTS_TIMEOUT_SECONDS`` in all: a
    channel layer that hangs costs the request that much, and loses the ping (the
    sockets read the log on their next ping or recheck), never the request."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all():
        sends = [layer.group_send(group, message) for group in groups]
        await asyncio.wait_for(asyncio.gather(*sends), settings.LIVE_EVENTS_TIMEOUT_SECONDS)

    try:
        async_to_sync(send_all)()
    except Exception:
        logger.warning("Live update %s could not be sent", message["type"], exc_info=True)


def _publish(clinic_id, groups: list[str], event: str, data: dict) -> None:
    """Appends the event to its clinic's log, then tells the groups' sockets to read
    it there: a socket sends what it reads in the log's order, so events from every
    web process reach it in one order, each once."""
    try:
        event_log().append(clinic_id, groups=groups, event=event, data=data)
    except Exception:
        logger.exception("Live update %s could not be logged", event)
        return
    _send(groups, {"type": "event.logged"})


def publish(groups: list[str], event: str, data: dict, *, clinic_id) -> None:
    """Announces ``{"event", "data"}`` to ``groups`` of ``clinic_id`` once the
    transaction commits (at once outside one; a rollback announces nothing)."""
    transaction.on_commit(lambda: _publish(clinic_id, groups, event, data))


def disconnect_user(user_id) -> None:
    """Closes every open socket of a user (after commit)."""
    transaction.on_commit(lambda: _send([user_group(user_id)], {"type": "session.ended"}))


def disconnect_session(session_id) -> None:
    """Closes the sockets opened with one session's tokens (after commit)."""
    transaction.on_commit(lambda: _send([session_group(session_id)], {"type": "session.ended"}))
