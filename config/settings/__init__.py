"""Concord's settings: `config.settings` picks the profile from the environment.

- `CONCORD_ENV=production`: `production` (hardened; refuses to start without `SECRET_KEY`);
- else `CONCORD_TESTING=true`: `test` (what `make test` runs);
- else `base`: the embedded default and development.

Every process (manage.py, the ASGI and WSGI servers, Celery, the suite's live servers) names
`config.settings`, so one set of variables gives them all the same profile. A profile can be
named directly too: `DJANGO_SETTINGS_MODULE=config.settings.production`.
"""

import environ

_env = environ.Env()

if _env.str("CONCORD_ENV", default="development") == "production":
    from .production import *  # noqa: F403
elif _env.bool("CONCORD_TESTING", default=False):
    from .test import *  # noqa: F403
else:
    from .base import *  # noqa: F403
