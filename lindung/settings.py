"""One settings module, configured by environment variables with safe local defaults.

LINDUNG_ENV=production requires LINDUNG_SECRET_KEY and turns on secure cookies; anything else is a
development/demo install that generates and keeps its own key under var/.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("LINDUNG_VAR_DIR", BASE_DIR.parent / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


LINDUNG_ENV = os.environ.get("LINDUNG_ENV", "development")
PRODUCTION = LINDUNG_ENV == "production"
DEMO_MODE = not PRODUCTION

DEBUG = _env_bool("LINDUNG_DEBUG", default=not PRODUCTION)


def _secret_key() -> str:
    key = os.environ.get("LINDUNG_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("LINDUNG_SECRET_KEY wajib diisi bila LINDUNG_ENV=production.")
    key_file = VAR_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("LINDUNG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("LINDUNG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "lindung.core",
    "lindung.audit",
    "lindung.regions",
    "lindung.accounts",
    "lindung.registry",
    "lindung.programmes",
    "lindung.targeting",
    "lindung.benefits",
    "lindung.membership",
    "lindung.billing",
    "lindung.training",
    "lindung.claims",
    "lindung.api",
    "lindung.reporting",
    "lindung.interop",
    "lindung.synth",
    "lindung.benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lindung.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lindung.core.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "lindung.accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "lindung.urls"
# Context help (a short hint linked to the glossary) after the label of every domain-specific form field.
FORM_RENDERER = "lindung.core.forms.HintFormRenderer"
WSGI_APPLICATION = "lindung.wsgi.application"

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
                "django.template.context_processors.i18n",
                "lindung.accounts.context_processors.viewer",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# SQLite is the embedded default. WAL lets the web server read while the task worker or an import
# writes; IMMEDIATE transactions take the write lock up front, so writers queue (busy_timeout)
# instead of failing half-way with "database is locked".
SQLITE_PATH = VAR_DIR / "lindung.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
# A web process may keep its database connection between requests (seconds; 0 opens one per request). Opening a
# PostgreSQL connection costs ~6 ms of server CPU per request (measured: scripts/loadtest/profile_requests.py);
# production under gunicorn should set LINDUNG_DB_CONN_MAX_AGE=600, as `make loadtest` does.
_db = dj_database_url.parse(
    DATABASE_URL,
    conn_max_age=int(os.environ.get("LINDUNG_DB_CONN_MAX_AGE", "0")),
    conn_health_checks=True,
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;"
        ),
    }
    _db["TEST"] = {"NAME": os.environ.get("LINDUNG_TEST_SQLITE") or None}
else:
    _db.setdefault("TEST", {})
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Village PCs are shared: a session ends after this many minutes without a request.
SESSION_IDLE_MINUTES = int(os.environ.get("LINDUNG_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
LINDUNG_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# In production HTTPS only: redirect plain HTTP and tell browsers to remember it (HSTS). Behind a reverse proxy
# that terminates TLS, set LINDUNG_BEHIND_PROXY=1 so that its X-Forwarded-Proto header is trusted.
SECURE_SSL_REDIRECT = PRODUCTION and os.environ.get("LINDUNG_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("LINDUNG_HSTS_SECONDS", "31536000")) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
if os.environ.get("LINDUNG_BEHIND_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# django-axes: 5 failed logins for one username lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("LINDUNG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LINDUNG_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lindung.accounts.views.lockout_response"
AXES_VERBOSE = False

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("LINDUNG_TIME_ZONE", "Asia/Makassar")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

# --- Background tasks -----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "lindung": {"handlers": ["console"], "level": os.environ.get("LINDUNG_LOG_LEVEL", "INFO")},
        "axes": {"handlers": ["console"], "level": "WARNING"},
    },
}

# We lock per username on purpose: a whole village office often shares one IP address (NAT), and
# locking by IP would lock out every operator behind it after one person's typos.
# security.W021 (HSTS preload): the preload list takes only registrable domains; Lindung runs on an office's
# subdomain (e.g. lindung.<kota>.go.id), whose parent domain the office does not control.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]

# The user guide as HTML (mkdocs.yml: `make docs`, `make run`), served at /panduan/.
LINDUNG_GUIDE_DIR = Path(os.environ.get("LINDUNG_GUIDE_DIR", VAR_DIR / "panduan-html"))

# Audit checkpoints: the chain head's count and hash every N events (and on `lindung audit-checkpoint`), also
# appended to a log file outside the database so that deleting the latest events shows.
LINDUNG_AUDIT_CHECKPOINT_EVERY = int(os.environ.get("LINDUNG_AUDIT_CHECKPOINT_EVERY", "1000"))
LINDUNG_AUDIT_CHECKPOINT_LOG = Path(os.environ.get("LINDUNG_AUDIT_CHECKPOINT_LOG", VAR_DIR / "audit-checkpoints.log"))

# Web uploads of worker files; the `lindung import-workers` command has no cap.
LINDUNG_UPLOAD_MAX_BYTES = int(os.environ.get("LINDUNG_UPLOAD_MAX_MB", "100")) * 1024 * 1024

# UU PDP retention rule (lindung/registry/retention.py, `lindung retention`; docs/panduan/admin-server.md)
LINDUNG_RETENTION_CANDIDATE_YEARS = int(os.environ.get("LINDUNG_RETENTION_CANDIDATE_YEARS", "2"))
LINDUNG_RETENTION_MEMBER_YEARS = int(os.environ.get("LINDUNG_RETENTION_MEMBER_YEARS", "10"))  # at least 10
LINDUNG_RETENTION_WITHDRAWN_DAYS = int(os.environ.get("LINDUNG_RETENTION_WITHDRAWN_DAYS", "30"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
