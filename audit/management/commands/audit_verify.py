from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit import chain


class Command(BaseCommand):
    help = "Recompute the audit chain, check it against the last anchor, name the first bad event."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors", type=Path, help="anchor file (default var/audit-anchors.jsonl)"
        )
        parser.add_argument(
            "--no-seal", action="store_true", help="do not seal pending events first"
        )

    def handle(self, *args, anchors=None, no_seal=False, **options):
        if not no_seal:
            chain.seal()
        result = chain.verify(anchor_file=anchors)
        self.stdout.write(
            f"{'ok' if result.ok else 'BROKEN'}: {result.events} events verified in "
            f"{result.seconds:.2f}s ({result.rate:,.0f} events/s); unsealed: {result.unsealed}"
        )
        if result.anchor:
            self.stdout.write(f"last anchor: seq {result.anchor['seq']} at {result.anchor['at']}")
        if not result.ok:
            raise CommandError(f"first bad event: seq {result.first_bad} ({result.reason})")
