from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fire every due workflow timer once (idempotent; safe to run from several places)."

    def handle(self, *args, **options):
        call_command("workflow_timers", verbosity=options.get("verbosity", 1))
