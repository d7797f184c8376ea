"""The browser session's two limits, for HTTP (config.middleware) and sockets alike.

A session ends SESSION_IDLE_TIMEOUT seconds after its last sign of use, and SESSION_COOKIE_AGE
seconds after it began, whatever the use. Both clocks are whole seconds kept in the session. The
idle clock is written at most once a minute, so that ordinary use does not rewrite the session on
every request or message.
"""

from django.conf import settings

STARTED = "concord_started_at"
SEEN = "concord_seen_at"
TOUCH_EVERY = 60


def session_expired(session, *, now: int) -> bool:
    """Whether the session has passed either limit (a session with no clocks yet has not)."""
    started = session.get(STARTED, now)
    seen = session.get(SEEN, now)
    return now - seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_COOKIE_AGE


def session_touch(session, *, now: int) -> bool:
    """Start the clocks, or move the idle clock on when it is a minute old; True if the session
    changed (and needs saving, where nothing saves it for the caller)."""
    changed = False
    if STARTED not in session:
        session[STARTED] = now
        changed = True
    if now - session.get(SEEN, 0) >= TOUCH_EVERY:
        session[SEEN] = now
        changed = True
    return changed
