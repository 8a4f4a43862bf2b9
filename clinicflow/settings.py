"""ClinicFlow settings, read from the environment.

With no variables set this is the embedded default: SQLite under ``var/``, the
in-memory channel layer, jobs run in-process after commit and the local intake
summarizer. ``DATABASE_URL``, ``REDIS_URL`` and ``OPENAI_API_KEY`` switch each
piece to the full stack. ``.env.example`` lists every variable.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from clinicflow.env import env_bool, env_int, env_list, env_str, env_timezone, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CLINICFLOW_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/."""
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 50 or key.startswith("django-insecure"):
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS",
    ["http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:3000"],
)
CORS_ALLOW_CREDENTIALS = False  # bearer tokens, no cookies

# A deployment that brings its own SECRET_KEY and is not in debug serves over
# HTTPS (usually behind a TLS-terminating proxy); HTTPS=0 turns that off.
HTTPS = env_bool("HTTPS", bool(env_str("SECRET_KEY")) and not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_rq",
    "clinicflow",  # no models: the bottom layer's management commands (manage.py demo)
    "accounts",
    "patients",
    "scheduling",
    "intake",
    "notes",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: the first to see a view's exception, it turns a database or Redis outage
    # into a 503 (clinicflow/outages.py).
    "clinicflow.outages.OutageMiddleware",
]

ROOT_URLCONF = "clinicflow.urls"
ASGI_APPLICATION = "clinicflow.asgi.application"
WSGI_APPLICATION = None
APPEND_SLASH = False  # the API answers with and without a trailing slash itself

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clinicflow" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database ------------------------------------------------------------------

DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0))
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "clinicflow.sqlite3"}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue up instead of failing with "database is locked", and a write
    # transaction takes its lock at BEGIN so a read-then-write cannot deadlock.
    _db.setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

# Outages (issue 12): a database that stops answering costs a request seconds, not
# minutes. psycopg's connect_timeout bounds a connect (libpq's minimum is 2 s), and
# PostgreSQL's statement_timeout any one statement, lock waits included. Values in
# DATABASE_URL's query string (?connect_timeout=, ?options=) win over these.
DB_CONNECT_TIMEOUT_SECONDS = env_int("DB_CONNECT_TIMEOUT_SECONDS", 5, minimum=2, maximum=120)
# 0 turns it off (e.g. for a long migration: DB_STATEMENT_TIMEOUT_SECONDS=0 manage.py migrate).
DB_STATEMENT_TIMEOUT_SECONDS = env_int("DB_STATEMENT_TIMEOUT_SECONDS", 30, minimum=0, maximum=3600)
if _db["ENGINE"] == "django.db.backends.postgresql":
    _options = _db.setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT_SECONDS)
    if DB_STATEMENT_TIMEOUT_SECONDS:
        # A later -c wins in libpq's options: the URL's own come last.
        _statement = f"-c statement_timeout={DB_STATEMENT_TIMEOUT_SECONDS * 1000}"
        _options["options"] = f"{_statement} {_options.get('options', '')}".strip()

DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]  # manage.py loaddata demo finds fixtures/demo.json

# Redis: cache, channel layer, job queue ----------------------------------------

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))

# Every Redis client states its own connect and read timeouts, chosen for its use;
# none is left to the library's default. redis-py 8 made socket_timeout default to
# 5 s, the very length of the channel layer's blocking receive (BZPOPMIN, 5 s), so
# idle WebSockets were torn down every few seconds:
# https://github.com/django/channels_redis/issues/422 and redis/redis-py#4091.
REDIS_CONNECT_TIMEOUT = 2  # seconds; Redis is next door, a slow connect means it is down
# The cache holds throttle counters read on login and the intake page: it answers in
# microseconds or not at all, so a request waits for it only briefly.
REDIS_CACHE_TIMEOUT = 1
# The channel layer's blocking receive waits CHANNEL_LAYER_RECEIVE_WAIT seconds for a
# message; its reads must outlast that with room to spare.
CHANNEL_LAYER_RECEIVE_WAIT = 5  # channels_redis's brpop_timeout
CHANNEL_LAYER_SOCKET_TIMEOUT = CHANNEL_LAYER_RECEIVE_WAIT + 10
# Enqueueing a job is one short write. (The worker raises its own connection's read
# timeout above its blocking dequeue wait: rq.Worker._set_connection.)
REDIS_QUEUE_TIMEOUT = 5


def _with_query(url: str, **params) -> str:
    """``url`` with ``params`` in its query string (redis-py reads connection
    options there; django-rq passes only the URL)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {key: str(value) for key, value in params.items()}
    return urlunsplit(parts._replace(query=urlencode(query)))


def channels_redis_config(url: str) -> dict:
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": url,
                    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                    "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT,
                }
            ],
            "prefix": env_str("CHANNELS_PREFIX", "clinicflow"),
        },
    }


if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "clinicflow"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_CACHE_TIMEOUT,
            },
        }
    }
    CHANNEL_LAYERS = {"default": channels_redis_config(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Live updates: each clinic's recent events, for sockets that reconnect with "after"
# (clinicflow/event_log.py). Older than the window, or beyond its length, a client
# is told to resync; so is one that missed more than LIVE_EVENTS_MAX_REPLAY.
LIVE_EVENTS_WINDOW_SECONDS = env_int("LIVE_EVENTS_WINDOW_SECONDS", 24 * 3600, minimum=60)
LIVE_EVENTS_MAXLEN = env_int("LIVE_EVENTS_MAXLEN", 10_000, minimum=100)
LIVE_EVENTS_MAX_REPLAY = env_int("LIVE_EVENTS_MAX_REPLAY", 1_000, minimum=10)
# What publishing one event may cost the request that made it (the log write, then
# the groups' ping): a Redis that is down or frozen delays a booking by this, at most.
LIVE_EVENTS_TIMEOUT_SECONDS = 0.5

RQ_QUEUES = {
    "default": {
        "URL": _with_query(
            REDIS_URL or "redis://127.0.0.1:6379/0",
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_QUEUE_TIMEOUT,
        ),
        "DEFAULT_TIMEOUT": 300,
    },
}
# Jobs go to RQ only when Redis is configured; otherwise they run in-process
# right after the transaction commits (clinicflow/jobs.py).
JOBS_INLINE = env_bool("JOBS_INLINE", not REDIS_URL)
if not JOBS_INLINE and not REDIS_URL:
    raise ImproperlyConfigured("JOBS_INLINE=0 needs REDIS_URL: queued jobs go to Redis.")

# Auth ----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("ACCESS_TOKEN_MINUTES", 15, minimum=1)),
    # The session row bounds a refresh chain by the clinic's session_timeout;
    # this is only the outer limit of one refresh token.
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env_str("JWT_SIGNING_KEY") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
}

# Django REST framework ------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.SessionJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "clinicflow.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "clinicflow.schema.AutoSchema",
    "EXCEPTION_HANDLER": "clinicflow.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env_str("LOGIN_RATE_PER_IP", "20/min"),
        "login_email": env_str("LOGIN_RATE_PER_EMAIL", "5/min"),
        "refresh": "60/min",
        "public_intake": env_str("PUBLIC_INTAKE_RATE_PER_IP", "30/min"),
    },
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": None,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "ClinicFlow API",
    "DESCRIPTION": "Clinic operations backend: scheduling, intake, doctor workflow, dashboards.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/",
    "PREPROCESSING_HOOKS": ["clinicflow.schema.paths_without_trailing_slash"],
    "ENUM_NAME_OVERRIDES": {
        "VisitLengthEnum": "accounts.models.Doctor.VisitLength",
        "VisitTypeEnum": "accounts.models.VisitType",
        "CancellationReasonEnum": "scheduling.models.Cancellation.Type",
        "AppointmentStatusEnum": "scheduling.models.AppointmentStatus",
        "FollowUpStatusEnum": "notes.models.FollowUp.Status",
        "SummaryStatusEnum": "intake.models.IntakeSubmission.SummaryStatus",
        "IntakeStatusEnum": "scheduling.models.IntakeStatus",
    },
}

# Email, internationalisation, static files -----------------------------------------

EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ClinicFlow <no-reply@clinicflow.local>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The zone a new clinic gets when none is given.
CLINICFLOW_DEFAULT_TIMEZONE = env_timezone("CLINICFLOW_DEFAULT_TIMEZONE", "America/New_York")

# Intake ------------------------------------------------------------------------------

# Where patients reach this server; intake links are built on it.
CLINICFLOW_PUBLIC_URL = env_url("CLINICFLOW_PUBLIC_URL", schemes=("http", "https")) or (
    "http://127.0.0.1:8000"
)
INTAKE_TOKEN_TTL_HOURS = env_int("INTAKE_TOKEN_TTL_HOURS", 72, minimum=1, maximum=24 * 30)
INTAKE_MAX_BODY_BYTES = env_int("INTAKE_MAX_BODY_BYTES", 65_536, minimum=1024)
# Dotted path of a callable (phone, message) that sends an SMS; the default logs.
SMS_SENDER = env_str("SMS_SENDER", "intake.delivery.log_sms")

OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_MODEL = env_str("OPENAI_MODEL", "gpt-4o-mini")
OPENAI_BASE_URL = env_url("OPENAI_BASE_URL", schemes=("http", "https")) or None
OPENAI_TIMEOUT_SECONDS = env_int("OPENAI_TIMEOUT_SECONDS", 20, minimum=1, maximum=120)
OPENAI_MAX_RETRIES = env_int("OPENAI_MAX_RETRIES", 2, minimum=0, maximum=5)
# A summary still pending this long after it was queued is queued again (the job was
# lost, or its try failed), waiting twice as long after each try; after
# SUMMARY_MAX_ATTEMPTS tries it is failed with the last reason (intake.services).
SUMMARY_RETRY_SECONDS = env_int("SUMMARY_RETRY_SECONDS", 120, minimum=10, maximum=3600)
SUMMARY_MAX_ATTEMPTS = env_int("SUMMARY_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
# RQ stops a summary job after this long. One try of the OpenAI client (each request's
# timeout, its retries, and the SDK's backoff of at most 8 s between them) must fit
# with room to spare, or the job dies of JobTimeoutException instead of its cause
# and holds the only worker for minutes.
SUMMARY_JOB_TIMEOUT_SECONDS = 180
OPENAI_TRY_BUDGET_SECONDS = (
    OPENAI_TIMEOUT_SECONDS * (OPENAI_MAX_RETRIES + 1) + 8 * OPENAI_MAX_RETRIES
)
if OPENAI_TRY_BUDGET_SECONDS > SUMMARY_JOB_TIMEOUT_SECONDS / 2:
    raise ImproperlyConfigured(
        f"OPENAI_TIMEOUT_SECONDS x (OPENAI_MAX_RETRIES + 1) plus backoff is "
        f"{OPENAI_TRY_BUDGET_SECONDS} s; keep it under {SUMMARY_JOB_TIMEOUT_SECONDS // 2} s "
        "(a failed try is queued again by the sweeper, so fewer, shorter tries are fine)."
    )

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 1_048_576, minimum=1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "clinicflow.logs.RedactIntakeTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # uvicorn's request lines carry paths too: through the redacting handler.
        "uvicorn.access": {"handlers": ["console"], "propagate": False},
        "uvicorn.error": {"handlers": ["console"], "propagate": False},
    },
}
