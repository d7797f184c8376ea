"""Database calls from the meeting sockets, on one thread with one kept connection.

channels' `database_sync_to_async` closes the connection after every call once it is older than
CONN_MAX_AGE, and Concord runs with CONN_MAX_AGE = 0 because ASGI gives each HTTP request a new
thread (kept connections would pile up, one per dead thread). A socket is different: its calls all
run on the one shared sync thread (thread-sensitive, outside any request context), so one kept
connection serves every socket of the process: otherwise a meeting with five writers at ten
notes a second would open a hundred PostgreSQL connections a second.

The connection is still closed when it cannot be trusted (an error left it unusable, or a
transaction was left open) and when the last socket of the process disconnects.
"""

from __future__ import annotations

from asgiref.sync import SyncToAsync
from django.db import connections

_open_sockets = 0


def _tidy() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.in_atomic_block or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()
        elif conn.errors_occurred:
            if conn.is_usable():
                conn.errors_occurred = False
            else:
                conn.close()


class SocketDatabaseSyncToAsync(SyncToAsync):
    def __init__(self, func):
        super().__init__(func, thread_sensitive=True)

    def thread_handler(self, loop, *args, **kwargs):
        _tidy()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _tidy()


socket_db = SocketDatabaseSyncToAsync


@socket_db
def socket_opened() -> None:
    global _open_sockets
    _open_sockets += 1


@socket_db
def socket_closed() -> None:
    """The last socket of the process gone: let its connection go too."""
    global _open_sockets
    _open_sockets = max(0, _open_sockets - 1)
    if _open_sockets == 0:
        connections.close_all()


def close_kept_connection() -> None:
    """Close the sockets' connection from outside (before dropping a database, in tests)."""
    global _open_sockets
    _open_sockets = 0
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
