"""Settings for Red Line Tracker, read from the environment (12-factor).

Development defaults need nothing: the embedded PostgreSQL of `make run` / `make test`
(tracker/devdb.py), no broker (tasks run eagerly), DEBUG on.
Production (DEBUG=false) refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from tracker import devdb

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
TESTING = env.bool("TESTING", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "tracker.apps.CuratorAdminConfig",  # django.contrib.admin, its door kept by is_curator
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "corsheaders",
    "tracker",
    "api",
]

MIDDLEWARE = [
    "tracker.health.HealthCheckMiddleware",
    "tracker.middleware.RequestIdMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so its process_exception sees a lost database first: 503 + Retry-After, not a 500.
    "tracker.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
            ],
        },
    },
]

# PostgreSQL only. Without DATABASE_URL: the embedded server that `make run` and `make test` start
# in .pgdata/ (tracker/devdb.py), reached on its Unix socket.
DATABASE_URL = env.str("DATABASE_URL", default="") or devdb.database_url()
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database (postgres://...)")
# A socket directory given as `?host=/dir` (libpq's spelling, and its `&port=`) is the host.
for _part in ("host", "port"):
    if _part in DATABASES["default"].get("OPTIONS", {}):
        DATABASES["default"][_part.upper()] = DATABASES["default"]["OPTIONS"].pop(_part)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Celery -------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"

# --- Cache (stats, counts and anonymous API reads, keyed by record version) ------
# Redis when there is one (shared by all gunicorn workers), in-process otherwise; tests always
# use an in-process cache emptied before each test (tests/conftest.py).
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "tracker.cache.TolerantRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "rlt",
            # A Redis outage must cost a page milliseconds, not hang it.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Room for many cached reads: the default 300 entries would evict the costly stats figures.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
CELERY_RESULT_BACKEND = None
# Without a broker (plain `make run`) tasks run in-process, right away.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection around every task unless this is set; with
# it the connection is kept for this many tasks, and in between CONN_MAX_AGE and the health check
# decide, as for a web request (tracker/celery.py).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# A guard against leaks, not a budget: a pool process whose resident memory (KiB, shared pages
# included) passes this after a task is replaced by a fresh one. A pool process holds the code
# (about 150 MB) and the analyser's index of every tracked line (about 200 MB for 100,000 lines,
# 13 s to build): below their sum, every analysis would start a fresh process that builds it again.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1_000_000)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A message a worker took but never acknowledged (worker killed) goes back to the queue after this.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# One queue per stage, so a slow stage cannot starve the others.
CELERY_TASK_ROUTES = {
    "tracker.tasks.poll_due_feeds": {"queue": "poll"},
    "tracker.tasks.poll_feed": {"queue": "poll"},
    "tracker.tasks.fetch_article": {"queue": "fetch"},
    "tracker.tasks.analyse_article": {"queue": "analyse"},
}
# Ingestion is background work beside the readers: each worker starts at most this many fetches
# and analyses a second (Celery rate limits, per worker; "" for none). A batch of 1,000 articles
# then takes a few minutes instead of one, and pages keep their speed while it runs (bench/load).
INGEST_FETCH_RATE = env.str("INGEST_FETCH_RATE", default="5/s")
INGEST_ANALYSE_RATE = env.str("INGEST_ANALYSE_RATE", default="5/s")
# Candidates the analyser scores below this (a calibrated probability of being right) are dropped
# before they reach the review queue; 0 keeps every one. 0.25 gives the best F1 on the `tune` set.
ANALYSIS_MIN_SCORE = env.float("ANALYSIS_MIN_SCORE", default=0.25)
if not 0.0 <= ANALYSIS_MIN_SCORE <= 1.0:
    raise ImproperlyConfigured("ANALYSIS_MIN_SCORE must be between 0 and 1")
CELERY_TASK_ANNOTATIONS = {
    "tracker.tasks.fetch_article": {"rate_limit": INGEST_FETCH_RATE or None},
    "tracker.tasks.analyse_article": {"rate_limit": INGEST_ANALYSE_RATE or None},
}
# Every periodic task, in one place.
CELERY_BEAT_SCHEDULE = {
    "poll-due-feeds": {
        "task": "tracker.tasks.poll_due_feeds",
        "schedule": env.float("POLL_DUE_FEEDS_EVERY", default=60.0),
        "options": {"queue": "poll"},
    },
}

# --- REST framework -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.RecordAutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_RATE", default="10000/hour")},
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PagePagination",
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser", "api.parsers.NotJSONParser"],
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.URLFormatFirstNegotiation",
}
# Request bodies above this many bytes are answered 413 (the API's JSON parser checks it too).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

SPECTACULAR_SETTINGS = {
    "TITLE": "Red Line Tracker API",
    "DESCRIPTION": "Declared geopolitical red lines, the events that tested them, and sources.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Text fields the server refuses empty say so (`minLength: 1`) in request bodies.
    "ENFORCE_NON_BLANK_FIELDS": True,
    "PARSER_WHITELIST": ["api.parsers.LimitedJSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "tracker.models.record.ActorKind",
        "EventKindEnum": "tracker.models.record.EventKind",
        "RedLineStatusEnum": "tracker.models.record.Status",
        "CandidateKindEnum": "tracker.models.ingest.CandidateKind",
        "CandidateStatusEnum": "tracker.models.ingest.CandidateStatus",
        "ArticleStateEnum": "tracker.models.ingest.ArticleState",
    },
}

# --- Ingestion --------------------------------------------------------------------
FETCH_ALLOW_PRIVATE = env.bool("FETCH_ALLOW_PRIVATE", default=False)
FETCH_MAX_BYTES = env.int("FETCH_MAX_BYTES", default=5 * 1024 * 1024)
FETCH_TIMEOUT = env.float("FETCH_TIMEOUT", default=10.0)
FETCH_ALLOW_LOOPBACK = env.bool("FETCH_ALLOW_LOOPBACK", default=FETCH_ALLOW_PRIVATE)
FETCH_DEADLINE = env.float("FETCH_DEADLINE", default=30.0)
FEED_MAX_FAILURES = env.int("FEED_MAX_FAILURES", default=8)

SESSION_COOKIE_AGE = int(timedelta(days=14).total_seconds())

# --- Security (production) ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True

# One JSON object per line in production (LOG_FORMAT=json), readable text in development.
LOGGING_CONFIG = "logging.config.dictConfig"
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tracker.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "tracker.logging.JsonLogFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # In-process (eager) tasks would log every success into the dev server's console.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# --- Operations, security, alerts (issue 7) ---------------------------------------------
# A worker counts as alive for /readyz when its heartbeat is at most this old (seconds).
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=180)
CELERY_IMPORTS = ["tracker.ops_tasks", "tracker.alerts.tasks"]
CELERY_BEAT_SCHEDULE["flush-outbox"] = {
    "task": "tracker.ops_tasks.flush_outbox",
    "schedule": env.float("OUTBOX_FLUSH_EVERY", default=30.0),
}
# Content-Security-Policy (django-csp 4): only our own scripts and styles, never inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# CORS (django-cors-headers): any site's pages may read the public API and the feeds, without
# credentials; writes stay same-origin. tracker.access.cors_public_read picks the requests by
# path and method, so the URL regex alone enables nothing.
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^(?!)"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "content-language", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After")
# Brute-force protection (django-axes) on every authenticate(): admin login and the token endpoint.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "tracker.middleware.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
# Webhooks: attempts per delivery (exponential backoff from the base), and failures in a row
# after which a hook is paused until an admin resumes it.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)
WEBHOOK_BACKOFF_BASE = env.float("WEBHOOK_BACKOFF_BASE", default=30.0)
WEBHOOK_PAUSE_AFTER = env.int("WEBHOOK_PAUSE_AFTER", default=10)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# Email (alerts to followers). EMAIL_URL in one piece, read by django-environ:
#   smtp+tls://USER:PASSWORD@HOST:587 (STARTTLS), smtp+ssl://USER:PASSWORD@HOST:465 (TLS at once),
#   smtp://HOST:25, consolemail:// — percent-encode "@", ":" and "/" inside USER and PASSWORD;
# or in parts: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS/_SSL.
# Development prints mail on the console; production sends by SMTP (localhost:25 unless told).
EMAIL_URL = env.str("EMAIL_URL", default="")
_email = (
    {k: v for k, v in env.email_url_config(EMAIL_URL).items() if v not in (None, "")} if EMAIL_URL else {}
)
EMAIL_BACKEND = _email.get("EMAIL_BACKEND") or env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = _email.get("EMAIL_HOST") or env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = _email.get("EMAIL_PORT") or env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False) or env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False) or env.bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465) exclude each other"
    )
# A mail server that does not answer must not hold a Celery worker for minutes.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="alerts@redlines.invalid")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Swagger UI served from our own static files (no CDN, no inline script) so the CSP holds.
SPECTACULAR_SETTINGS.update(
    {"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR", "REDOC_DIST": "SIDECAR"}
)
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["auth"] = env.str(
    "API_AUTH_RATE", default="60/minute"
)
