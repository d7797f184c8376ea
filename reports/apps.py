from django.apps import AppConfig
from django.db.backends.signals import connection_created

from .sql import register_sqlite


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Outcome reports"

    def ready(self) -> None:
        # The median aggregate, on each SQLite connection (the embedded database).
        connection_created.connect(register_sqlite, dispatch_uid="reports.sql.median")
