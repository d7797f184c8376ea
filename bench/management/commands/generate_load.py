from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.generate import generate


class Command(BaseCommand):
    help = "Write a realistic caseload in bulk: agencies of ten regions, members, N referrals."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=500)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="the caseload's today, YYYY-MM-DD (default: the real one); "
                            "with the seed it fixes the caseload")

    def handle(self, *args, referrals: int, seed: int, today: date | None = None, **options):
        # Bulk inserts of thousands of rows must not be kept in DEBUG's query log.
        settings.DEBUG = False
        self.stdout.write(f"Generating {referrals:,} referrals (seed {seed}"
                          + (f", today {today.isoformat()})" if today else ")"))
        try:
            summary = generate(referrals=referrals, seed=seed, today=today, log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{summary.total_rows:,} rows in {summary.seconds['total']:.1f}s")
        for name, seconds in summary.seconds.items():
            if name != "total":
                self.stdout.write(f"  {name:<22} {seconds:7.1f}s")
        for label, count in sorted(summary.rows.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {label:<40} {count:>10,}")
