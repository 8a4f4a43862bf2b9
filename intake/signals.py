"""What happens to an appointment's intake, announced to the apps above intake.

Sent once by the intake service that made it happen, inside its transaction, with
``sender=IntakeSubmission`` (or ``IntakeToken`` for a link) and keyword arguments:
"""

from django.dispatch import Signal

# A link was sent to the patient: ``appointment``, ``by``.
intake_sent = Signal()

# The intake is complete: ``appointment``, ``submission`` (None when the front desk
# completed it by hand), ``by`` (None for the patient).
intake_completed = Signal()

# A submission's summary was written: ``submission`` (status ready).
summary_ready = Signal()
