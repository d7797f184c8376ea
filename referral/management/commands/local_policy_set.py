import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agencies.selectors import membership_of
from config.exceptions import DomainError, NotAllowed
from referral.local_policy import local_policy_set
from referral.models import LocalPolicy


class Command(BaseCommand):
    help = (
        "Set a new version of a region's local policy: local_policy_set --key KEY --region REGION "
        "--value JSON --reason TEXT --by USERNAME (a coordinator supervisor of that region). "
        "Never an edit: decisions made under the version in force keep pointing at it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--key", required=True, choices=LocalPolicy.Key.values)
        parser.add_argument("--region", default="", help='the region ("": the default)')
        parser.add_argument("--value", required=True, help="the policy's value, as JSON")
        parser.add_argument("--reason", required=True, help="why the region sets it")
        parser.add_argument("--by", required=True, help="the username of who sets it")

    def handle(self, *args, key, region, value, reason, by, **options):
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"No user {by!r}.")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--value is not JSON: {exc}") from exc
        try:
            row = local_policy_set(
                key=key, region=region, value=parsed, reason=reason, actor=user,
                membership=membership_of(user),
            )
        except (NotAllowed, DomainError) as exc:
            fields = getattr(exc, "fields", None) or {}
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
            raise CommandError(f"{exc}{' (' + details + ')' if details else ''}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"{row.key} version {row.version} for {row.region or 'the default'} in effect from "
            f"{row.effective_from:%Y-%m-%d %H:%M}."
        ))
