import os

from django.core.management.base import BaseCommand

from agencies.services import DEMO_AGENCIES, demo_seed


class Command(BaseCommand):
    help = "Create the demo agencies and accounts (idempotent). Password: $DEMO_PASSWORD."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or "demo-pass-2026"
        demo_seed(password=password)
        self.stdout.write(self.style.SUCCESS("Demo agencies and accounts are ready:"))
        for slug, _name, kind, accounts in DEMO_AGENCIES:
            names = ", ".join(username for username, _ in accounts)
            self.stdout.write(f"  {slug:<10} {kind:<12} {names}")
        self.stdout.write(
            "Every demo account's password is $DEMO_PASSWORD (default demo-pass-2026)."
        )
