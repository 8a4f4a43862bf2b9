from django.core.management.base import BaseCommand

from scheduling.services import appointments_mark_no_shows


class Command(BaseCommand):
    help = (
        "Marks appointments not arrived auto_no_show_threshold minutes after their start "
        "as no-shows, with a cancellation row each. Safe to run any number of times."
    )

    def handle(self, *args, **options):
        marked = appointments_mark_no_shows()
        self.stdout.write(f"Marked {marked} appointment(s) as no-show.")
