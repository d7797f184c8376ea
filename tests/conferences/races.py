"""Writers racing on one meeting: each waits for the meeting's row while a test holds it."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, connections, transaction

from conferences.models import Conference


def blocked_on_the_meeting(count: int, timeout: float = 10.0) -> None:
    """Wait until `count` other sessions wait for a lock (the meeting's row)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Inside a transaction the statistics views keep their first snapshot.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.02)
    raise AssertionError(f"{count} writers never waited for the meeting")


@contextmanager
def writers_waiting_on_the_meeting(
    conference_id: int, work: Callable[[], object], count: int = 2
) -> Iterator[tuple[list, list]]:
    """Run `work()` on `count` threads that all wait for the meeting's row, held by the test
    until the body of the `with` is done; yields the lists their results and errors fill (once
    the `with` has ended and the threads have finished)."""
    results: list = []
    errors: list = []

    def run():
        try:
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    with transaction.atomic():
        Conference.objects.select_for_update().get(pk=conference_id)
        for thread in threads:
            thread.start()
        blocked_on_the_meeting(count)
        yield results, errors
    for thread in threads:
        thread.join(30)
