"""The hardened profile (`CONCORD_ENV=production`): passes `manage.py check --deploy`.

It refuses to start without `SECRET_KEY` and `FIELD_ENCRYPTION_KEYS` (checked before the
shared settings, which would otherwise generate or derive them), serves the static files
`collectstatic` gathered, and expects a TLS proxy in front that sets `X-Forwarded-Proto`.
"""

import environ
from django.core.exceptions import ImproperlyConfigured

from config.field_keys import field_keys

if not environ.Env().str("SECRET_KEY", default=""):
    raise ImproperlyConfigured("SECRET_KEY must be set when CONCORD_ENV=production.")
# The keys of the encrypted fields are their own, never derived: a key derived from SECRET_KEY
# would make one leaked secret open both the sessions and the data, and replacing SECRET_KEY
# would lose the data.
if not environ.Env().list("FIELD_ENCRYPTION_KEYS", default=[]):
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when CONCORD_ENV=production.")
field_keys(environ.Env().list("FIELD_ENCRYPTION_KEYS"))  # each a Fernet key, or it refuses

from .base import *  # noqa: E402, F403
from .base import BASE_DIR, CSRF_TRUSTED_ORIGINS, STORAGES, env  # noqa: E402

PRODUCTION = True

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# Passkeys: the site's own https:// origins unless WEBAUTHN_ALLOWED_ORIGINS names them.
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "WEBAUTHN_ALLOWED_ORIGINS",
    default=CSRF_TRUSTED_ORIGINS
    or [
        f"https://{host}"
        for host in ALLOWED_HOSTS
        if host.isascii() and not host.startswith(".") and "*" not in host
    ],
)
SILENCED_SYSTEM_CHECKS = []

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_NAME = "__Secure-csrftoken"

# What `collectstatic` gathered, under hashed names cached for a year.
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
