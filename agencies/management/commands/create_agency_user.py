import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency, Role
from agencies.services import member_create


class Command(BaseCommand):
    help = "Create a user in an agency: create_agency_user USERNAME --agency SLUG --role ROLE ..."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="the agency's slug")
        parser.add_argument(
            "--role", action="append", required=True, choices=Role.values, dest="roles"
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of prompting",
        )

    def handle(self, *args, username, agency, roles, email, password_stdin, **options):
        found = Agency.objects.filter(slug=agency).first()
        if found is None:
            raise CommandError(f"No agency with slug {agency!r}.")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
        try:
            if password:
                # An unsaved user, so that the similarity check compares the password with
                # the username and email the account will have.
                validate_password(password, user=get_user_model()(username=username, email=email))
            member_create(
                agency=found,
                username=username,
                password=password or None,
                roles=roles,
                email=email,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created {username} in {found.slug} as {', '.join(roles)}.")
        )
