from pathlib import Path

from django.core.management.base import BaseCommand

from audit import chain


class Command(BaseCommand):
    help = "Seal pending events and append the chain head, with the time, to the anchor file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, help="anchor file (default var/audit-anchors.jsonl)"
        )

    def handle(self, *args, file=None, **options):
        record = chain.anchor(path=file)
        self.stdout.write(f"anchored seq {record['seq']} hash {record['hash']} at {record['at']}")
