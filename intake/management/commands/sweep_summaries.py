from django.core.management.base import BaseCommand

from intake.services import summaries_sweep


class Command(BaseCommand):
    help = (
        "Queues again the intake summaries still owed (pending) whose job was lost or "
        "whose try failed, and fails those out of attempts. The cron process runs it "
        "every minute; safe to run any number of times."
    )

    def handle(self, *args, **options):
        sweep = summaries_sweep()
        self.stdout.write(
            f"Queued {sweep.requeued} summary(ies) again; gave up on {sweep.gave_up}."
        )
