from django.core.management import call_command
from django.core.management.base import BaseCommand

from audit.chain import seal
from workflows.services import escalate_overdue


class Command(BaseCommand):
    help = "Fire due viewflow timers and escalate overdue tasks, once (idempotent, catches up)."

    def handle(self, *args, **options):
        call_command("workflow_timers", verbosity=0)
        escalated = escalate_overdue()
        seal()
        if options.get("verbosity", 1):
            self.stdout.write(f"Escalated {escalated} overdue task(s).")
