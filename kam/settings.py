"""KAM settings: one module, read from the environment.

The defaults run KAM embedded (SQLite under ``var/``, a secret generated once and
kept there). ``KAM_PRODUCTION=1`` switches to production mode, which refuses to
start without a real secret and a real host name.

Environment variables:

- ``KAM_DATABASE_URL`` (or ``DATABASE_URL``): e.g. ``postgres://kam@db/kam``;
  default ``sqlite:///<KAM_HOME>/kam.sqlite3``.
- ``KAM_HOME``: where the embedded database and secret live (default ``./var``).
- ``KAM_SECRET_KEY``: required in production mode.
- ``KAM_DEBUG``: ``1`` to show debug pages (never in production).
- ``KAM_ALLOWED_HOSTS``: comma separated (default ``127.0.0.1,localhost``).
- ``KAM_TIME_ZONE``: default ``Asia/Shanghai``.
- ``KAM_LANGUAGE``: default ``zh-hans``.
- ``KAM_HTTPS``: ``1`` when served behind TLS (secure cookies, HSTS).
- ``KAM_TRUST_PROXY``: ``1`` when a reverse proxy is in front and sets
  ``X-Forwarded-Proto`` (and ``X-Forwarded-For``); never trusted otherwise.
- ``KAM_API_DOCS_PUBLIC``: ``1`` to show the API schema and docs without signing in
  (default: off in production, on otherwise).
- ``KAM_LOG_FORMAT``: ``json`` for one JSON object per log line; ``KAM_LOG_LEVEL``.
- ``KAM_SENTRY_DSN``: report errors to Sentry (personal data scrubbed).
- ``KAM_SESSION_HOURS`` (12), ``KAM_SESSION_IDLE_MINUTES`` (120): when a browser
  session ends, after signing in and without a request.
- ``KAM_BASE_URL``, ``KAM_EMAIL_*``, ``KAM_WEBHOOK_TIMEOUT``: notifications (see the end).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Literal

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
KAM_HOME = Path(os.environ.get("KAM_HOME", Path.cwd() / "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    """An on/off variable; anything but the usual spellings stops KAM with a message
    (``KAM_TRUST_PROXY=X-Forwarded-Proto`` must not quietly mean off)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    spelled = value.strip().lower()
    if spelled in {"1", "true", "yes", "on"}:
        return True
    if spelled in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (on or off), not {value!r}.")


PRODUCTION = _flag("KAM_PRODUCTION")
DEBUG = _flag("KAM_DEBUG") and not PRODUCTION


def _private_folder(folder: Path) -> Path:
    """KAM's own folders (the embedded database, the secret, uploads) are created
    readable by KAM's user only; a folder that exists already keeps its mode."""
    for missing in reversed([f for f in (folder, *folder.parents) if not f.exists()]):
        missing.mkdir(mode=0o700, exist_ok=True)
    return folder


def _secret_key() -> str:
    configured = os.environ.get("KAM_SECRET_KEY", "").strip()
    if configured:
        if PRODUCTION and len(configured) < 32:
            raise ImproperlyConfigured(
                "KAM_SECRET_KEY is too short for production mode (at least 32 characters)."
            )
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Production mode (KAM_PRODUCTION=1) needs KAM_SECRET_KEY: set it to a long "
            "random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Embedded default: generate once, keep beside the database, never commit.
    key_file = KAM_HOME / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    _private_folder(KAM_HOME)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("KAM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("KAM_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]


def _database() -> dj_database_url.DBConfig:
    url = os.environ.get("KAM_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{_private_folder(KAM_HOME) / 'kam.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"KAM_DATABASE_URL is not a database URL KAM understands ({exc}). "
            "Use sqlite:///path/to/kam.sqlite3 or postgres://user:password@host:5432/name."
        ) from exc
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"KAM supports SQLite and PostgreSQL; the database URL asks for {engine!r}."
        )
    if engine == "django.db.backends.sqlite3":
        # SQLite creates the -wal and -shm files with the database file's mode, so a
        # database file created private keeps all three private.
        name = str(config.get("NAME") or "")
        if name and name != ":memory:" and not name.startswith("file:"):
            path = Path(name)
            _private_folder(path.parent)
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        # Persistent connections buy nothing on SQLite; WAL lets readers and one
        # writer work at once, the busy timeout waits for a writer instead of failing.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    if engine == "django.db.backends.postgresql":
        # No JIT compilation: KAM's queries take milliseconds to a few hundred, and the
        # planner's cost estimates of its larger reports (unions, grouped subqueries) pass
        # the JIT threshold, so PostgreSQL spent up to 3 s compiling a query that runs in
        # 0.2 s (the cash forecast on the large tenant, benchmarks/README.md). An
        # ``options`` in the URL's query string comes after this, so it can turn JIT on.
        options = config.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, ["-c jit=off", options.get("options")]))
    test_name = os.environ.get("KAM_TEST_DATABASE_NAME")
    if test_name:
        config["TEST"] = {"NAME": test_name}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "kam.core",
    "kam.accounts",
    "kam.stakeholders",
    "kam.pipeline",
    "kam.activities",
    "kam.coach",
    "kam.forecasting",
    "kam.receivables",
    "kam.jobs",
    "kam.reports",
    "kam.performance",
    "kam.notifications",
    "kam.imports",
    "kam.api",
    "kam.ui",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kam.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kam.core.middleware.SessionExpiryMiddleware",
    "kam.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kam.urls"
WSGI_APPLICATION = "kam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kam.ui.context_processors.navigation",
            ],
            # The help link beside each concept, in every template without a load.
            "builtins": ["kam.ui.templatetags.help_links"],
        },
    },
]

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "kam.core.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Also refuses a password containing the user name or name (parts of 3+ characters),
# which the similarity validator lets through when the rest of the password differs.
AUTH_PASSWORD_VALIDATORS.append({"NAME": "kam.core.password_validation.NameInPasswordValidator"})

# Sign-in throttling (kam.core.services.auth): failures counted in the database, so every
# app server sees the same count. Per user name and address, per address, and per name
# from all addresses; the name limit must stay above what one address can reach under
# the pair limit within the name window (PAIR_FAILURES x (NAME_MINUTES / PAIR_MINUTES + 1)).
KAM_LOGIN_PAIR_FAILURES = int(os.environ.get("KAM_LOGIN_PAIR_FAILURES", "5"))
KAM_LOGIN_PAIR_MINUTES = int(os.environ.get("KAM_LOGIN_PAIR_MINUTES", "15"))
KAM_LOGIN_ADDRESS_FAILURES = int(os.environ.get("KAM_LOGIN_ADDRESS_FAILURES", "20"))
KAM_LOGIN_ADDRESS_MINUTES = int(os.environ.get("KAM_LOGIN_ADDRESS_MINUTES", "15"))
KAM_LOGIN_NAME_FAILURES = int(os.environ.get("KAM_LOGIN_NAME_FAILURES", "30"))
KAM_LOGIN_NAME_MINUTES = int(os.environ.get("KAM_LOGIN_NAME_MINUTES", "60"))

# Password reset by email: the link works once, for this many hours; one address may
# ask this many times per window.
PASSWORD_RESET_TIMEOUT = int(float(os.environ.get("KAM_PASSWORD_RESET_HOURS", "2")) * 3600)
KAM_PASSWORD_RESET_REQUESTS = int(os.environ.get("KAM_PASSWORD_RESET_REQUESTS", "5"))
KAM_PASSWORD_RESET_REQUEST_MINUTES = int(os.environ.get("KAM_PASSWORD_RESET_REQUEST_MINUTES", "60"))
# API tokens (django-rest-knox, kam.core.services.tokens): stored hashed, each one lives
# this many days from signing in; a new sign-in makes a new token.
KAM_API_TOKEN_DAYS = int(os.environ.get("KAM_API_TOKEN_DAYS", "90"))
if KAM_API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("KAM_API_TOKEN_DAYS must be a whole number of days, 1 or more.")
# knox's model is swappable; naming it lets KAM's own rows point at it.
KNOX_TOKEN_MODEL = "knox.AuthToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=KAM_API_TOKEN_DAYS),
    # A token's expiry is fixed when it is issued: using it does not extend it.
    "AUTO_REFRESH": False,
}

LANGUAGE_CODE = os.environ.get("KAM_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "kam_language"
USE_I18N = True
# Amounts grouped by thousands in Chinese as in English (kam/formats/zh_Hans).
FORMAT_MODULE_PATH = ["kam.formats"]
TIME_ZONE = os.environ.get("KAM_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KAM_STATIC_ROOT", KAM_HOME / "static"))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (the embedded run), whitenoise serves from the app folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("KAM_MEDIA_ROOT", KAM_HOME / "media"))
MEDIA_URL = "/media/"
# Uploads (import files) hold customers' data: readable by KAM's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# The largest request body outside uploaded files: a form post or a JSON body of the API
# (kam.api.parsers). Free text is bounded per field (kam.core.fields), far below it;
# import files have their own limit (KAM_IMPORT_MAX_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The longest note, reason or plan a person may write in one field (kam.core.fields).
KAM_NOTE_MAX_LENGTH = 10_000

# Sessions and caches live in the database so app servers share them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A browser session ends 12 hours after signing in, or after 2 hours without a request
# (kam.core.middleware.SessionExpiryMiddleware); a session is refreshed at most once a minute.
SESSION_COOKIE_AGE = int(os.environ.get("KAM_SESSION_HOURS", "12")) * 3600
KAM_SESSION_IDLE_MINUTES = int(os.environ.get("KAM_SESSION_IDLE_MINUTES", "120"))
SESSION_COOKIE_HTTPONLY = True
# Annotated like django-stubs' global settings so set_cookie(samesite=...) type-checks.
SESSION_COOKIE_SAMESITE: Literal["Lax", "Strict", "None", False] = "Lax"
CSRF_COOKIE_SAMESITE: Literal["Lax", "Strict", "None", False] = "Lax"
# Pages carry the token (forms, htmx's header on <body>); no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
HTTPS = _flag("KAM_HTTPS", default=PRODUCTION)
# A reverse proxy in front (nginx, Caddy, a load balancer) says which scheme the browser
# used in X-Forwarded-Proto and who it is in X-Forwarded-For. Without a proxy anybody can
# send those headers, so they are trusted only when the operator says one is there
# (kam.core.checks warns when the settings cannot work together).
KAM_TRUST_PROXY = _flag("KAM_TRUST_PROXY")
if KAM_TRUST_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies behind the one that connects (addresses or networks), skipped when reading
# the client's address from X-Forwarded-For (kam.core.client_address).
KAM_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("KAM_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in KAM_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"KAM_TRUSTED_PROXIES: {_proxy!r} is not an address or network ({exc})."
        ) from exc
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE: Literal["Lax", "Strict", "None", False] | None = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SECURE_SSL_REDIRECT = _flag("KAM_SSL_REDIRECT", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021", "security.W008"]
CSRF_FAILURE_VIEW = "kam.core.errors.csrf_failure"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kam_cache",
    }
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("KAM_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kam.core.rest.pagination.KamPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kam.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "kam.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# The API schema and docs without signing in (kam.core.rest.permissions.ApiDocsAccess).
KAM_API_DOCS_PUBLIC = _flag("KAM_API_DOCS_PUBLIC", default=not PRODUCTION)
SPECTACULAR_SETTINGS = {
    "TITLE": "KAM API",
    "DESCRIPTION": (
        "Key account management: accounts, decision chains, opportunities, "
        "activities, forecast and receivables. Authenticate with "
        "`Authorization: Token <key>` (obtain one at /api/v1/auth/token/)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models name a choice field "kind" or "status"; each choice set gets its own
    # name in the schema, and sets shared by several fields one name.
    "ENUM_NAME_OVERRIDES": {
        "SwotKindEnum": "kam.accounts.models.SwotKind",
        "LeverKindEnum": "kam.accounts.models.LeverKind",
        "WhitespaceStatusEnum": "kam.accounts.models.WhitespaceStatus",
        "PlanActionStatusEnum": "kam.accounts.models.ActionStatus",
        "ActivityKindEnum": "kam.activities.models.Kind",
        "ActivityStatusEnum": "kam.activities.models.ActivityStatus",
        "TaskSourceEnum": "kam.activities.models.TaskSource",
        "OpportunityStatusEnum": "kam.pipeline.models.Status",
        "ObjectionKindEnum": "kam.pipeline.models.ObjectionKind",
        "StandingEnum": "kam.pipeline.models.Standing",
        "WriteOffStatusEnum": "kam.receivables.models.WriteOff.Status",
        "PromiseStatusEnum": "kam.receivables.models.PaymentPromise.Status",
        "RelationshipEnum": "kam.stakeholders.models.Relationship",
        "ImportKindEnum": "kam.imports.models.Kind",
        "DashboardKindEnum": "kam.reports.selectors.DASHBOARD_KINDS",
        "GateKeyEnum": "kam.pipeline.screening.GATE_KEYS",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOG_FORMAT = os.environ.get("KAM_LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"KAM_LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "kam.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("KAM_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Error reporting (kam.core.sentry): off unless a DSN is given.
SENTRY_DSN = os.environ.get("KAM_SENTRY_DSN", "").strip()
if SENTRY_DSN:
    from kam.core import sentry

    sentry.init(SENTRY_DSN, environment="production" if PRODUCTION else "development")

# The company currency; other currencies carry a rate to it.
KAM_CURRENCY = os.environ.get("KAM_CURRENCY", "CNY")

# Notifications (kam.notifications): links in emails and group-bot messages start with
# KAM_BASE_URL; mail goes through SMTP when KAM_EMAIL_HOST is set, else to the console.
KAM_BASE_URL = os.environ.get("KAM_BASE_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = os.environ.get(
    "KAM_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("KAM_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("KAM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KAM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KAM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KAM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("KAM_EMAIL_TLS")
EMAIL_USE_SSL = _flag("KAM_EMAIL_SSL")
EMAIL_TIMEOUT = int(os.environ.get("KAM_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("KAM_EMAIL_FROM", "KAM <kam@localhost>")
# Seconds a group bot (WeCom, DingTalk, Feishu) has to answer before the try counts as failed.
KAM_WEBHOOK_TIMEOUT = float(os.environ.get("KAM_WEBHOOK_TIMEOUT", "5"))
