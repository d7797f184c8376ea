"""Concord's settings, shared by every profile and read from the environment.

On their own they are the embedded default and development profile: SQLite under `var/` when
`DATABASE_URL` is unset, the in-memory channel layer and in-process timers when `REDIS_URL` is
unset, and a secret key generated once and kept in `var/secret_key`. `production.py` hardens
them, `test.py` adapts them to the test suite; `config/settings/__init__.py` chooses.
"""

import base64
import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("CONCORD_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# The profile: production.py and test.py set their own.
PRODUCTION = False
TESTING = False


def _local_secret_key() -> str:
    """A key for the embedded default, generated once and kept beside the SQLite file."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()

# The keys of the fields encrypted at rest (config/encryption.py): Fernet keys, comma-separated,
# newest first; values are written with the first and read with any. Production requires them
# (production.py); elsewhere one is derived from SECRET_KEY, so that the development and test
# processes agree without a variable.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [
    base64.urlsafe_b64encode(hashlib.sha256(("fields:" + SECRET_KEY).encode()).digest()).decode()
]

# Off unless a developer asks: the demo shows the product's own error pages, not Django's.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The search's trigram lookups on PostgreSQL (`referral.search`); inert on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "channels",
    "viewflow",
    "viewflow.workflow",
    "agencies",
    "referral",
    "workflows",
    "conferences",
    "audit",
    "justice",
    "orders",
    "interventions",
    "victims",
    "evidence",
    "privacy",
    "reports",
    # The second factor (django-otp: TOTP, recovery codes; django-otp-webauthn: passkeys).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]

# In order: the client's address (config/client_address.py: which forwarded headers are
# believed) before anything reads it; static files (WhiteNoise) before sessions; the headers on
# every answer; the session's limits and then its second factor before any view.
MIDDLEWARE = [
    "config.middleware.ClientAddressMiddleware",
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PrivacyHeadersMiddleware",
    "config.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.SessionTimeoutMiddleware",
    # Whether the session passed a second factor (`request.user.is_verified()`); a session that
    # has not reaches only the enrolment and code pages.
    "django_otp.middleware.OTPMiddleware",
    "agencies.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.middleware.NotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# A serving process runs a full garbage collection after this many collections of the middle
# generation (`config.runtime.settle`; CPython's default is 10).
GC_FULL_COLLECTION_AFTER = env.int("GC_FULL_COLLECTION_AFTER", default=100)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.membership",
                "workflows.context_processors.notifications",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'concord.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL and immediate transactions let the web process and the timer loop share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that live servers started by the tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-concord.sqlite3")}
else:
    # Under ASGI each request may run on a thread of its own, and a persistent connection would
    # be left open per thread until the server runs out of them: close each after use, or put a
    # pooler (PgBouncer) in front and raise this. A kept connection is checked before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: PostgreSQL compiles a plan whose estimated cost passes `jit_above_cost`, and on the
    # outcome reports' aggregates over the whole caseload that compiling (100 to 200 ms of LLVM
    # work per query) outweighs the query itself; no read of Concord's runs long enough to gain.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Seal the audit chain in a thread of each server process after a commit that wrote events
# (audit/chain.py). Inline on SQLite (one writer at a time) and in tests (deterministic).
AUDIT_SEAL_IN_BACKGROUND = env.bool(
    "AUDIT_SEAL_IN_BACKGROUND",
    default=DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
)

# --- Redis: cache, channel layer, Celery -----------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")


def _channel_layer_key(secret: str) -> str:
    """channels-redis wants a Fernet-sized key; derive it so every process agrees."""
    digest = hashlib.sha256(("channels:" + secret).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="concord"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub: a group send is one PUBLISH, and each server process hands it to
            # its own sockets in memory. The list-based RedisChannelLayer stores and pops a copy
            # per socket: a Redis round trip per socket for each note, too many for a busy
            # meeting. Both deliver at most once; the clients' resync by sequence number covers
            # a loss. Ours decodes each received message once, not once per socket.
            "BACKEND": "conferences.channel_layer.MeetingChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env.str("CHANNEL_PREFIX", default="concord"),
                "symmetric_encryption_keys": [
                    _channel_layer_key(env.str("CHANNEL_LAYER_KEY", default=SECRET_KEY))
                ],
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True

CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    "timers": {"task": "workflows.tasks.run_timers", "schedule": 60.0},
}

# --- Audit anchors: the chain head, written outside the database on a schedule ---------------
# Where `audit_anchor` appends the chain head (one JSON line each time); `audit_verify` checks
# the chain against the last one. Keep the file where the database's login cannot write (or copy
# it there): a trail emptied or rewritten as a whole fails only against an anchor.
AUDIT_ANCHOR_FILE = env.str("AUDIT_ANCHOR_FILE", default=str(VAR_DIR / "audit-anchors.jsonl"))
# Seconds between anchors, written by celery beat and by `serve --timers`; what happens to the
# trail after the last anchor is what an anchor cannot vouch for.
AUDIT_ANCHOR_EVERY = env.int("AUDIT_ANCHOR_EVERY", default=15 * 60)
CELERY_BEAT_SCHEDULE["audit-anchor"] = {
    "task": "audit.tasks.anchor_trail",
    "schedule": float(AUDIT_ANCHOR_EVERY),
}
# The retention sweep (privacy.services.retention_sweep): once a day; `serve --timers` runs it
# every RETENTION_SWEEP_EVERY seconds.
RETENTION_SWEEP_EVERY = env.int("RETENTION_SWEEP_EVERY", default=24 * 60 * 60)
CELERY_BEAT_SCHEDULE["retention-sweep"] = {
    "task": "privacy.tasks.sweep_retention",
    "schedule": float(RETENTION_SWEEP_EVERY),
}

# --- Auth, sessions, sign-in throttling ------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Sessions last at most 12 hours and end after 30 minutes without a request
# (config.middleware.SessionTimeoutMiddleware enforces both).
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_LOCKOUT_CALLABLE = "agencies.api.lockout_response"

# --- Proxies: which forwarded headers are believed (config/client_address.py) ---------------
# The number of reverse proxies in front of Concord, each appending to X-Forwarded-For. The
# client's address (REMOTE_ADDR from the first middleware on, django-axes' lockout key) is the
# Nth entry from the right; 0 means no proxy: the header is ignored and the socket's peer is the
# client. Set it to exactly the number of hops you run: one too many lets a client choose its
# own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Whether the (trusted) proxy sets X-Request-ID itself, overwriting any the client sent; only
# then is the incoming id written into the trail instead of a fresh one.
TRUSTED_PROXY_REQUEST_ID = env.bool("TRUSTED_PROXY_REQUEST_ID", default=False)
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"

# django-guardian: no anonymous user; case objects use direct foreign-key permission tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_404 = True

# --- Second factor (django-otp: TOTP, recovery codes; django-otp-webauthn: passkeys) -----------
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Concord")
# WebAuthn credentials are bound to this domain (the site's host name, no scheme or port);
# empty: the host of each request, which suits development and tests on `localhost`.
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="")
OTP_WEBAUTHN_RP_ID_CALLABLE = "agencies.second_factor.webauthn_rp_id"
OTP_WEBAUTHN_RP_NAME = "Concord"
# The origins a passkey may be used from. Default: CSRF_TRUSTED_ORIGINS, else (production)
# https:// and each of ALLOWED_HOSTS; empty (development and tests): each request's own origin.
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ALLOWED_ORIGINS", default=CSRF_TRUSTED_ORIGINS)
OTP_WEBAUTHN_HELPER_CLASS = "agencies.second_factor.WebAuthnHelper"
# Passkeys are a second factor after the password, never a sign-in on their own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# E030: no allowed origins set, which development and tests leave to each request's own.
SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E030"]

# --- API tokens and sockets' sign-in ----------------------------------------------------------

# API tokens (django-rest-knox, agencies.ApiToken): stored as SHA-512 digests; each lives
# API_TOKEN_TTL_MINUTES from its issue and is not extended by use (sign in again for another).
# They end early on logout, on a password change and when the account is deactivated.
API_TOKEN_TTL = timedelta(minutes=env.int("API_TOKEN_TTL_MINUTES", default=8 * 60))
# A member holds at most this many live tokens; a sign-in beyond it ends the oldest.
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=10)
KNOX_TOKEN_MODEL = "agencies.ApiToken"
# knox's own migrations create its default table even when the model is swapped: not needed.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": API_TOKEN_TTL,
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": None,  # agencies.services.token_issue enforces API_TOKENS_PER_USER
}
# A socket's one-time ticket (POST /api/v1/auth/ws-ticket/) is valid once, for this many seconds.
WS_TICKET_TTL = env.int("WS_TICKET_TTL", default=60)
# Open live-notes sockets per member, counted across every server process in Redis (in the
# process alone without Redis); a socket beyond it is closed with 4429.
WS_SOCKETS_PER_USER = env.int("WS_SOCKETS_PER_USER", default=10)
# How often an open socket re-checks its session or token (and renews its place in the count).
WS_RECHECK_SECONDS = env.int("WS_RECHECK_SECONDS", default=60)

# --- API -------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agencies.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.rest.DenyAll"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.FastJSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "config.rest.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.rest.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # `?format=` is ours (exports), not a renderer switch: the API speaks JSON only.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concord API",
    "DESCRIPTION": "Multi-agency stalking referrals and case conferences.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# --- The OpenAPI document declares each operation's error answers (config/rest.py) ------------
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "config.rest.declare_error_responses",
]
# One name for each choice set the document uses in several places (a generated client gets one
# enum of each, not a name with a hash in it).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "ReferralStatusEnum": "referral.models.Referral.Status",
    "RiskLevelEnum": "referral.models.RiskLevel",
    "BehavioursEnum": "referral.models.Behaviour",
    "OrderKindEnum": "referral.models.ProtectiveOrder.Kind",
    "HearingKindEnum": "referral.models.CourtHearing.Kind",
    "ConferenceStatusEnum": "conferences.models.Conference.Status",
    "AgendaItemStatusEnum": "conferences.models.AgendaItem.Status",
    "NotificationKindEnum": "workflows.models.Notification.Kind",
    "RoleEnum": "agencies.models.Role",
    "SectionEnum": "agencies.policy.SECTIONS",
    "AgencyKindEnum": "agencies.models.AgencyKind",
    "OrderStatusEnum": "referral.models.ProtectiveOrder.Status",
    "OrderMadeByEnum": "referral.models.ProtectiveOrder.MadeBy",
    "IdentifierKindEnum": "referral.models.PersonIdentifier.Kind",
    "PersonRoleEnum": "referral.models.PersonName.Role",
    "LocalPolicyKeyEnum": "referral.models.LocalPolicy.Key",
    "OffenceKindEnum": "justice.models.OffenceKind",
    "OffenceStatusEnum": "justice.models.Offence.Status",
    "DisposalEnum": "justice.models.Offence.Disposal",
    "WarningSignsStageEnum": "justice.models.WarningSigns.Stage",
    "PoliceDecisionKindEnum": "justice.models.PoliceDecision.Kind",
    "NfaReasonEnum": "justice.models.PoliceDecision.NfaReason",
    "ChargingDecisionEnum": "justice.models.ChargingDecision.Decision",
    "ChargingTestEnum": "justice.models.ChargingDecision.Test",
    "HearingResultEnum": "justice.models.HearingOutcome.Result",
    "RequirementKindEnum": "justice.models.SentenceRequirement.Kind",
    "OrderApplicationKindEnum": "orders.models.OrderApplication.Kind",
    "OrderApplicationStatusEnum": "orders.models.OrderApplication.Status",
    "OrderChangeKindEnum": "orders.models.OrderChange.Kind",
    "NotificationDutyStatusEnum": "orders.models.NotificationDuty.Status",
    "EnforcementOutcomeEnum": "orders.models.Enforcement.Outcome",
    "LevelEnum": "interventions.models.Level",
    "HearingAssessmentKindEnum": "interventions.models.HearingAssessment.Kind",
    "PsychiatricStatusEnum": "interventions.models.PsychiatricAssessment.Status",
    "InstrumentEnum": "interventions.models.PerpetratorAssessment.Instrument",
    "InterventionKindEnum": "interventions.models.Intervention.Kind",
    "VehicleEnum": "interventions.models.Intervention.Vehicle",
    "InterventionSourceEnum": "interventions.models.Intervention.Source",
    "InterventionStatusEnum": "interventions.models.Intervention.Status",
    "EntitlementBasisEnum": "victims.models.Entitlement.Basis",
    "AdvocateRoleEnum": "victims.models.AdvocateAssignment.Role",
    "ContactMethodEnum": "victims.models.ContactEntry.Method",
    "SafetyPlanStatusEnum": "victims.models.SafetyPlan.Status",
    "RelationEnum": "victims.models.PersonAtRisk.Relation",
    "DecidedByEnum": "victims.models.RightToReview.DecidedBy",
    "ActionOutcomeEnum": "conferences.models.ConferenceAction.Outcome",
    "LawfulBasisEnum": "agencies.models.LawfulBasis",
    "RetentionOutcomeEnum": "privacy.models.CaseOutcome",
    "RetentionRecordKindEnum": "privacy.models.RecordKind",
    "RetentionActionEnum": "privacy.models.RetentionAction",
    "RetentionReviewStatusEnum": "privacy.models.RetentionReview.Status",
    "RetentionDecisionEnum": "privacy.models.ReviewDecision",
    "SubjectAccessStatusEnum": "privacy.models.SubjectAccessRequest.Status",
    "ItemDecisionEnum": "privacy.models.ItemDecision",
    "ExemptionEnum": "privacy.models.Exemption",
    "ReviewOutcomeEnum": "victims.models.RightToReview.Outcome",
}

# Requests are capped: a referral with its narrative fits well inside 1 MiB.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Evidence files (evidence/) --------------------------------------------------------------
# Files attached to a case: stored through Django's storage API under the alias `evidence`
# (STORAGES below), under random names, never under MEDIA_URL or the static files: only the
# authenticated download answers them, after checking the file's SHA-256.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=25 * 1024 * 1024)
# The upload endpoints, whose body may be up to EVIDENCE_MAX_BYTES larger than MAX_REQUEST_BYTES
# (config.middleware.BodySizeLimitMiddleware).
EVIDENCE_UPLOAD_PATHS = (
    r"^/api/v1/referrals/\d+/evidence/$",
    r"^/workspace/referrals/\d+/evidence/new/$",
)
# The filesystem by default; an S3-compatible bucket when EVIDENCE_S3_BUCKET names one
# (django-storages, boto3: credentials from EVIDENCE_S3_ACCESS_KEY_ID and
# EVIDENCE_S3_SECRET_ACCESS_KEY, else boto3's own chain: environment, profile, instance role).
EVIDENCE_DIR = env.str("EVIDENCE_DIR", default=str(VAR_DIR / "evidence"))
EVIDENCE_S3_BUCKET = env.str("EVIDENCE_S3_BUCKET", default="")
if EVIDENCE_S3_BUCKET:
    _EVIDENCE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "location": env.str("EVIDENCE_S3_PREFIX", default="evidence"),
            "endpoint_url": env.str("EVIDENCE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("EVIDENCE_S3_REGION", default="") or None,
            "access_key": env.str("EVIDENCE_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("EVIDENCE_S3_SECRET_ACCESS_KEY", default="") or None,
            # Private objects, never overwritten, never a public or signed URL handed out.
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
else:
    _EVIDENCE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": EVIDENCE_DIR,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
# Subject access bundles (privacy): private files on the filesystem, never served as media;
# only the data protection officer's download answers them, after checking their SHA-256.
PRIVACY_DIR = env.str("PRIVACY_DIR", default=str(VAR_DIR / "privacy"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence": _EVIDENCE_STORAGE,
    "privacy": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": PRIVACY_DIR,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
# Malware scanning of each upload by a ClamAV daemon (INSTREAM), when one is named: its Unix
# socket (CLAMAV_SOCKET) or its host and port (CLAMAV_HOST, CLAMAV_PORT). Unset: files are stored
# as `not_scanned`. Named but unreachable: uploads are refused (503), never stored unscanned.
CLAMAV_SOCKET = env.str("CLAMAV_SOCKET", default="")
CLAMAV_HOST = env.str("CLAMAV_HOST", default="")
CLAMAV_PORT = env.int("CLAMAV_PORT", default=3310)
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30.0)

# --- Static, i18n ----------------------------------------------------------------------------

STATIC_URL = "/static/"
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="concord@localhost")

# --- Logging: request ids, never request bodies or personal data ------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.request_context.RequestIdLogFilter"},
        "redact_path": {"()": "config.request_context.RedactPathFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["redact_path"]},
        "django.server": {"filters": ["redact_path"]},
        "axes": {"level": "WARNING"},
        # The PDF export: WeasyPrint reports every step of every rendering at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Static files: WhiteNoise in every profile -------------------------------------------------
# The embedded default and the demo serve straight from the apps (no collectstatic); production
# serves what `collectstatic` gathered into STATIC_ROOT (production.py).
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
# The project's own files: the shell's global stylesheet and script (static/concord/).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppDirectoriesFinder",  # Django's, less vendored trees no page links
]
# The project's own files (static/concord: the pages' shared script).
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- API edges: OPTIONS and CSRF failures answer in the API's shape ---------------------------

REST_FRAMEWORK["DEFAULT_METADATA_CLASS"] = "config.rest.Metadata"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# --- Response headers: Content-Security-Policy, Permissions-Policy, no-store --------------------
# Scripts, fonts, images and connections only from Concord itself; no inline script anywhere.
# Inline styles stay allowed: viewflow's base template sets the theme colours in a <style>
# element, and Hotwire Turbo injects its progress bar's style.

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features no page uses, turned off (WebAuthn's publickey-credentials-* stay on: sign-in
# uses security keys).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
)

# --- Password-reset requests: throttled per email address and per client address -------------

PASSWORD_RESET_WINDOW = env.int("PASSWORD_RESET_WINDOW", default=60 * 60)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=10)
