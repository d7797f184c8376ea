"""The test suite's profile (`CONCORD_TESTING=true`, which `make test` sets).

What differs from the shared settings is only what a test run needs: deterministic audit
sealing, Celery tasks run in-process, cheap password hashing, static files looked up per
request, and each pytest-xdist worker's keys and channel groups apart from the other workers'
(pytest-django gives each worker its own test database).
"""

import os

from .base import *  # noqa: F403
from .base import CACHES, CHANNEL_LAYERS, REDIS_URL, env

TESTING = True

# Hashing cost is not under test; the demo accounts are re-created for every test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Sealed inline, in the transaction that wrote the events: what a test reads is sealed.
AUDIT_SEAL_IN_BACKGROUND = env.bool("AUDIT_SEAL_IN_BACKGROUND", default=False)
# The suite runs tasks in-process: it exercises them without a worker beside it.
CELERY_TASK_ALWAYS_EAGER = True
# Autorefresh looks files up per request instead of listing them all at start-up: the suite
# builds a handler for every test client.
WHITENOISE_AUTOREFRESH = True

# `make test` (and `make test-browser`, `make test-transactional`) run on two pytest-xdist
# workers, which share one Redis. The live servers a worker starts inherit its environment, so
# they take the same prefixes.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER and REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] += f"-{WORKER}"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] += f"-{WORKER}"
