import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.services import DEMO_AGENCIES, demo_seed


class Command(BaseCommand):
    help = "Create the demo agencies and accounts (idempotent). Password: $DEMO_PASSWORD."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo accounts' password is published in the README.
            raise CommandError(
                "seed_demo refuses to run with CONCORD_ENV=production: its accounts share a "
                "published password. Create real accounts with create_agency_user."
            )
        password = os.environ.get("DEMO_PASSWORD") or "demo-pass-2026"
        demo_seed(password=password)
        self.stdout.write(self.style.SUCCESS("Demo agencies and accounts are ready:"))
        for slug, _name, kind, accounts in DEMO_AGENCIES:
            names = ", ".join(username for username, _ in accounts)
            self.stdout.write(f"  {slug:<10} {kind:<12} {names}")
        self.stdout.write(
            "Every demo account's password is $DEMO_PASSWORD (default demo-pass-2026)."
        )
