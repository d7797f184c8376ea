from django.core.management.base import BaseCommand

from agencies.policy import matrix_markdown


class Command(BaseCommand):
    help = "Print the access policy as Markdown (the README's access section)."

    def handle(self, *args, **options):
        self.stdout.write(matrix_markdown(), ending="")
