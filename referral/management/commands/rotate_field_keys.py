from django.core.management.base import BaseCommand, CommandError

from config.encryption import UndecryptableValue, encrypted_models, rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every value of the encrypted fields with the newest of FIELD_ENCRYPTION_KEYS "
        "(the first), batch by batch, beside the running application. Values already under it "
        "are left alone, so it can be run again; an older key may be dropped once it reports "
        "nothing left to rewrite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500,
                            help="rows read and rewritten in one transaction (500)")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        for model in encrypted_models():
            try:
                done = rotate(model, batch_size=batch_size)
            except UndecryptableValue as exc:
                raise CommandError(str(exc)) from exc
            total += done.values
            self.stdout.write(f"{done.table}: {done.rows} rows, {done.values} values re-encrypted")
        self.stdout.write(self.style.SUCCESS(
            f"{total} values re-encrypted with the newest key." if total
            else "Every value is already encrypted with the newest key."
        ))
