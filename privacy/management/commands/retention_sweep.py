"""`manage.py retention_sweep [--today YYYY-MM-DD]`: the daily retention sweep, by hand."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from audit.chain import seal
from privacy.services import retention_sweep


class Command(BaseCommand):
    help = "Open a retention review for each closed case past its schedule (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to sweep as (YYYY-MM-DD); today if absent")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            day = parse_date(today)
            if day is None:
                raise CommandError("--today must be a date, YYYY-MM-DD.")
        opened = retention_sweep(today=day)
        seal()
        self.stdout.write(f"Retention reviews opened or reopened: {opened}.")
