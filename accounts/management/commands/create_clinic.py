from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import clinic_create


class Command(BaseCommand):
    help = "Creates a clinic with its settings and its first admin user."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", required=True, help="IANA zone, e.g. America/New_York.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--admin-first-name", default="")
        parser.add_argument("--admin-last-name", default="")

    def handle(self, *args, **options):
        try:
            ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"Unknown time zone {options['timezone']!r}.") from None
        try:
            clinic = clinic_create(
                name=options["name"],
                timezone_name=options["timezone"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_first_name=options["admin_first_name"],
                admin_last_name=options["admin_last_name"],
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
