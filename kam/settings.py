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
- ``KAM_SESSION_HOURS`` (12), ``KAM_SESSION_IDLE_MINUTES`` (120): when a browser
  session ends, after signing in and without a request.
- ``KAM_BASE_URL``, ``KAM_EMAIL_*``, ``KAM_WEBHOOK_TIMEOUT``: notifications (see the end).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
KAM_HOME = Path(os.environ.get("KAM_HOME", Path.cwd() / "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = _flag("KAM_PRODUCTION")
DEBUG = _flag("KAM_DEBUG") and not PRODUCTION


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
    KAM_HOME.mkdir(parents=True, exist_ok=True)
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
        KAM_HOME.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{KAM_HOME / 'kam.sqlite3'}"
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
    "rest_framework.authtoken",
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
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (kam.core.services.auth): failures counted in the database, so
# every app server sees the same count.
KAM_LOGIN_MAX_FAILURES = int(os.environ.get("KAM_LOGIN_MAX_FAILURES", "5"))
KAM_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("KAM_LOGIN_LOCKOUT_MINUTES", "15"))

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
# The largest request body outside uploaded files: a form post or a JSON body of the API
# (kam.api.parsers). Free text is bounded per field (kam.core.fields), far below it;
# import files have their own limit (KAM_IMPORT_MAX_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

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
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
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
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kam.api.pagination.KamPagination",
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
        "OpportunityStatusEnum": "kam.pipeline.models.Status",
        "ObjectionKindEnum": "kam.pipeline.models.ObjectionKind",
        "StandingEnum": "kam.pipeline.models.Standing",
        "WriteOffStatusEnum": "kam.receivables.models.WriteOff.Status",
        "PromiseStatusEnum": "kam.receivables.models.PaymentPromise.Status",
        "RelationshipEnum": "kam.stakeholders.models.Relationship",
        "ImportKindEnum": "kam.imports.models.Kind",
        "DashboardKindEnum": "kam.reports.selectors.DASHBOARD_KINDS",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KAM_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

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
