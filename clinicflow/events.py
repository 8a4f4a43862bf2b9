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
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
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
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        for group in groups:
            async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("Live update %s could not be sent", message["type"])


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


# Within one transaction, announcements about one subject merge into one: a booking
# that also sends the intake link is one ``appointment:created`` (with the final
# data), not an update before its creation; owners get one count per day.
SUPERSEDES = {APPOINTMENT_CREATED: {APPOINTMENT_UPDATED}}


class _Pending:
    """The announcements of one transaction, by subject, published at its commit."""

    def __init__(self):
        self.events: dict = {}

    def flush(self) -> None:
        events, self.events = self.events, {}
        for clinic_id, groups, event, data in events.values():
            _publish(clinic_id, groups, event, data)


def _pending(connection) -> _Pending:
    """This transaction's pending announcements. Django forgets a transaction's
    commit callbacks when it commits or rolls back, so announcements whose flush is
    no longer among them belong to a transaction that is over."""
    pending = getattr(connection, "live_pending", None)
    if pending is None or not any(
        callback == pending.flush for _, callback, _ in connection.run_on_commit
    ):
        pending = connection.live_pending = _Pending()
    return pending


def broadcast(groups: list[str], event: str, data: dict, *, clinic_id, subject=None) -> None:
    """Announces ``{"event", "data"}`` to ``groups`` of ``clinic_id`` once the
    transaction commits (a rollback announces nothing).

    Announcements with the same ``subject`` in one transaction are one event: the
    first one's place, the latest data, every group, and ``appointment:created``
    over an update of the same appointment.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block or subject is None:
        transaction.on_commit(lambda: _publish(clinic_id, groups, event, data))
        return
    pending = _pending(connection)
    if subject in pending.events:
        _, known_groups, known_event, _ = pending.events[subject]
        groups = [*known_groups, *(g for g in groups if g not in known_groups)]
        if event in SUPERSEDES.get(known_event, ()):
            event = known_event
    pending.events[subject] = (clinic_id, groups, event, data)
    # Registered with each announcement, so a flush dropped with a rolled-back
    # savepoint leaves the others to publish; the first to run publishes all.
    transaction.on_commit(pending.flush)


def disconnect_user(user_id) -> None:
    """Closes every open socket of a user (after commit)."""
    transaction.on_commit(lambda: _send([user_group(user_id)], {"type": "session.ended"}))


def disconnect_session(session_id) -> None:
    """Closes the sockets opened with one session's tokens (after commit)."""
    transaction.on_commit(lambda: _send([session_group(session_id)], {"type": "session.ended"}))
