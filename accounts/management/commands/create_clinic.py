from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import clinic_create
from clinicflow.env import known_time_zones


class Command(BaseCommand):
    help = "Creates a clinic with its settings and its first admin user."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", required=True, help="IANA zone, e.g. America/New_York.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--admin-first-name", default="")
        parser.add_argument("--admin-last-name", default="")
        parser.add_argument("--phone", default="", help="Shown to patients on intake pages.")

    def handle(self, *args, **options):
        if options["timezone"] not in known_time_zones():
            raise CommandError(f"Unknown time zone {options['timezone']!r}.")
        try:
            clinic = clinic_create(
                name=options["name"],
                timezone_name=options["timezone"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_first_name=options["admin_first_name"],
                admin_last_name=options["admin_last_name"],
                phone=options["phone"],
            )
        except ValidationError as exc:
            messages = "; ".join(
                f"{field}: {' '.join(errs)}" for field, errs in exc.message_dict.items()
            )
            raise CommandError(messages) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created clinic {clinic.name} ({clinic.id}) with admin {options['admin_email']}."
            )
        )
