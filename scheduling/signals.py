"""What happens to an appointment, announced to the apps above scheduling.

Each signal is sent once, by the service that made it happen, inside its
transaction and after its own writes, so a receiver sees the saved appointment:
a receiver that must be able to refuse raises and the whole command rolls back;
a receiver with I/O (live updates, email) defers it with ``transaction.on_commit``.
Receivers live with the app that reacts (``intake/receivers.py``,
``notes/receivers.py``, ``dashboard/receivers.py``).

Every signal is sent with ``sender=Appointment`` and the keyword arguments
``appointment`` and ``by`` (the user, or None for the system), plus:
"""

from django.dispatch import Signal

# A visit was booked. ``intake_path``: send_now, send_later or skip;
# ``follow_up_id``: the doctor's follow-up it fulfils, or None.
appointment_booked = Signal()

# A visit moved. ``previous_doctor_id`` and ``previous_date``: where it was.
appointment_rescheduled = Signal()

# A visit moved along the status machine (confirmed, arrived, started, completed).
# ``previous_status``; ``details``: the names of details edited with it (a PATCH).
appointment_status_changed = Signal()

# A visit's details were edited. ``fields``: their names.
appointment_details_changed = Signal()

# A visit was cancelled or marked a no-show. ``reason`` and ``note``.
appointment_cancelled = Signal()
