from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit import chain


class Command(BaseCommand):
    help = (
        "Recompute the audit chain, check it against the last anchor, name the first bad event."
        " Exits non-zero when the chain is broken, when an event is neither sealed nor queued,"
        " and when there is no anchor to check against (unless --unanchored)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors", type=Path, help="anchor file (default AUDIT_ANCHOR_FILE)"
        )
        parser.add_argument(
            "--no-seal", action="store_true", help="do not seal pending events first"
        )
        parser.add_argument(
            "--unanchored",
            action="store_true",
            help="accept a check of the chain alone when no anchor exists (still warns)",
        )

    def handle(self, *args, anchors=None, no_seal=False, unanchored=False, **options):
        if not no_seal:
            chain.seal()
        result = chain.verify(anchor_file=anchors)
        self.stdout.write(
            f"{'ok' if result.ok else 'BROKEN'}: {result.events} events verified in "
            f"{result.seconds:.2f}s ({result.rate:,.0f} events/s); unsealed: {result.unsealed};"
            f" neither sealed nor queued: {result.orphaned}; erased: {result.erased}"
            f" ({result.erased_unrecomputable} sealed before the digest form: links checked only)"
        )
        if result.anchor:
            self.stdout.write(f"last anchor: seq {result.anchor['seq']} at {result.anchor['at']}")
        if not result.ok:
            if result.first_bad is None:
                raise CommandError(result.reason)
            raise CommandError(f"first bad event: seq {result.first_bad} ({result.reason})")
        if not result.anchor:
            warning = (
                f"WARNING: no anchor for this database in {anchors or chain.default_anchor_file()}:"
                " a trail emptied or rewritten as a whole would still verify. Anchors are"
                " written by `audit_anchor`, which celery beat and `serve --timers` run every"
                " AUDIT_ANCHOR_EVERY seconds."
            )
            if not unanchored:
                raise CommandError(warning)
            self.stderr.write(warning)
