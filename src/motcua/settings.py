"""Django settings, read from the environment (12-factor).

DATABASE_URL    default: SQLite at ./var/motcua.sqlite3 (WAL)
SECRET_KEY      required and strong (50+ characters) unless DEBUG or MOTCUA_DEV is on
DEBUG, MOTCUA_DEV  booleans ("1"/"true" on; "0"/"false"/"" off); both off is production (docs/deployment.md)
MOTCUA_NATIONAL_URL, MOTCUA_NATIONAL_CLIENT_ID, MOTCUA_NATIONAL_CLIENT_SECRET  the national portal and this
                node's credentials there (demo: derived for the monitor that runs beside the node; the URL
                defaults to MOTCUA_PUBLIC_URL + /national/api, MOTCUA_PUBLIC_URL to http://MOTCUA_BIND)
ALLOWED_HOSTS   comma-separated
MOTCUA_VAR_DIR  where SQLite, uploads and logs live (default ./var)
MOTCUA_OFFICE_HOURS  office sessions, default "07:30-11:30,13:00-17:00"
LOG_FORMAT      "json" (default) or "text"
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean from the environment: 1/true/yes/on, 0/false/no/off; unset or empty gives the default."""
    value = os.environ.get(name, "").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return default if value == "" else False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1/true/yes/on or 0/false/no/off")


def secret_key_problem(key: str) -> str | None:
    """Why `key` may not sign production sessions, tokens and node secrets (Django's security.W009, stricter)."""
    if not key:
        return "SECRET_KEY is not set"
    if DEV_SECRET_KEY in key or key.startswith("django-insecure-"):
        return "SECRET_KEY is a published development key"
    if len(key) < 50:
        return f"SECRET_KEY has {len(key)} characters, at least 50 are needed"
    if len(set(key)) < 10:
        return f"SECRET_KEY has {len(set(key))} distinct characters, at least 10 are needed"
    return None


DEBUG = env_bool("DEBUG")
# The demo's conveniences (the published dev key, plain-HTTP cookies, the demo national client) are on only with
# DEBUG=1 or MOTCUA_DEV=1 (`make demo`, `make test`); anything else is production (docs/deployment.md).
# A developer's checkout (`make setup` writes var/local-demo) runs in the demo mode while no SECRET_KEY is given;
# an explicit MOTCUA_DEV (`make serve` sets 0) or a SECRET_KEY always wins.
LOCAL_DEMO = not os.environ.get("SECRET_KEY") and (VAR_DIR / "local-demo").is_file()
MOTCUA_DEV = DEBUG or env_bool("MOTCUA_DEV", default=LOCAL_DEMO)
DEV_SECRET_KEY = "insecure-dev-key-only-for-local-demo"
SECRET_KEY = os.environ.get("SECRET_KEY", "") or (DEV_SECRET_KEY if MOTCUA_DEV else "")
if not MOTCUA_DEV and (_problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"motcua refuses to run in production: {_problem}. Set SECRET_KEY to a random value of at least 50 "
        "characters, e.g. the output of `python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`, kept "
        "out of the repository (docs/deployment.md). For the local demo and the tests set MOTCUA_DEV=1 instead."
    )
# Personal data at rest (common/crypto.py): Fernet keys, newest first, and the search-hash key;
# required in production, derived from SECRET_KEY for the demo and the tests.
MOTCUA_FIELD_KEYS = [k.strip() for k in os.environ.get("MOTCUA_FIELD_KEYS", "").split(",") if k.strip()]
MOTCUA_FIELD_HASH_KEY = os.environ.get("MOTCUA_FIELD_HASH_KEY", "")
if not MOTCUA_DEV and not (MOTCUA_FIELD_KEYS and len(MOTCUA_FIELD_HASH_KEY) >= 32):
    raise ImproperlyConfigured(
        "motcua refuses to run in production without MOTCUA_FIELD_KEYS (Fernet keys: "
        "`python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`) and "
        "MOTCUA_FIELD_HASH_KEY (32+ random characters): personal data is stored encrypted (docs/deployment.md)."
    )
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "motcua.identity.apps.AdminConfig",  # Django's admin; its site also asks for the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the Swagger UI assets itself: no CDN
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "motcua.common",
    "motcua.audit",
    "motcua.identity",
    "motcua.workdays",
    "motcua.org",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.sync",
    "motcua.national",
    "motcua.metrics",
    "motcua.documents",
    "motcua.feedback",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.web",
    "motcua.demo",
]

MIDDLEWARE = [
    "motcua.common.net.ClientAddressMiddleware",  # first: REMOTE_ADDR := the client (MOTCUA_TRUSTED_PROXIES)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "motcua.common.middleware.SecurityHeadersMiddleware",
    "motcua.common.boundary.ControlCharactersMiddleware",  # 400 on control characters in URLs and forms
    "django_otp.middleware.OTPMiddleware",
    "motcua.identity.middleware.StaffSessionMiddleware",  # staff idle timeout, two-factor gate (inside the headers)
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

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
                "motcua.web.context.site",
                "motcua.metrics.context.dashboard_link",
            ]
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock up front
        # so two writers queue instead of failing with "database is locked" mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # JIT compilation costs ~0.2 s per aggregate and pays off only on multi-second queries
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["motcua.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not MOTCUA_DEV)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"  # "Strict" would drop the login on links from mails
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Production is served over TLS behind nginx (docs/deployment.md); the demo and the tests run on plain HTTP.
if os.environ.get("MOTCUA_TRUSTED_PROXIES", "").strip():
    # the trusted proxy overwrites X-Forwarded-Proto with the scheme the client used
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", not MOTCUA_DEV)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # local health probes over plain HTTP
SECURE_HSTS_SECONDS = 0 if MOTCUA_DEV else int(os.environ.get("MOTCUA_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MOTCUA_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("MOTCUA_HSTS_PRELOAD")
# security.W021 (HSTS preload off) is silenced on purpose: the browsers' preload list binds the whole registrable
# domain and all its subdomains for months and is the domain owner's decision; opt in with MOTCUA_HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MOTCUA_UPLOAD_MAX_BYTES = int(os.environ.get("MOTCUA_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:after-login"
LOGOUT_REDIRECT_URL = "portal:home"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua@localhost")
SESSION_COOKIE_AGE = 8 * 3600

# Staff login (identity: docs/architecture.md). Two-factor (TOTP + recovery codes) is always required of
# superusers, admin-site users, administrators, leaders, division heads and inspectors; of all staff with:
MOTCUA_2FA_FOR_ALL_STAFF = env_bool("MOTCUA_2FA_FOR_ALL_STAFF")
MOTCUA_STAFF_IDLE_MINUTES = int(os.environ.get("MOTCUA_STAFF_IDLE_MINUTES", "30"))  # citizens: SESSION_COOKIE_AGE
MOTCUA_LOCKOUT_FAILURES = int(os.environ.get("MOTCUA_LOCKOUT_FAILURES", "5"))  # per username + address
MOTCUA_LOCKOUT_MINUTES = int(os.environ.get("MOTCUA_LOCKOUT_MINUTES", "15"))
MOTCUA_PASSWORD_RESET_PER_HOUR = int(os.environ.get("MOTCUA_PASSWORD_RESET_PER_HOUR", "3"))  # mails per address
MOTCUA_TOKEN_DAYS = int(os.environ.get("MOTCUA_TOKEN_DAYS", "30"))  # API tokens: default lifetime
MOTCUA_TOKEN_MAX_DAYS = int(os.environ.get("MOTCUA_TOKEN_MAX_DAYS", "365"))  # and the longest one
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows TOTP secrets or recovery codes
AXES_FAILURE_LIMIT = MOTCUA_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=MOTCUA_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # shared by every process
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # failed logins listed in the admin
AXES_CLIENT_IP_CALLABLE = "motcua.common.net.client_ip"  # the one trusted-proxy rule of the site
AXES_LOCKOUT_CALLABLE = "motcua.identity.lockout.lockout_response"
AXES_VERBOSE = False  # no banner on every command; lockouts are logged by motcua.identity.lockout

MOTCUA_SITE_NAME = os.environ.get("MOTCUA_SITE_NAME", "Tây Ninh")
OTP_TOTP_ISSUER = f"motcua {MOTCUA_SITE_NAME}"  # how the account is named in authenticator apps
MOTCUA_PROVINCE_CODE = os.environ.get("MOTCUA_PROVINCE_CODE", "80")
MOTCUA_NODE_CODE = os.environ.get("MOTCUA_NODE_CODE", "H53")
# The node's own address (gunicorn's MOTCUA_BIND unless a public URL is given): file links in the national payload,
# and the default of the national portal's address: the demo's monitor, which runs inside the node itself.
_BIND = os.environ.get("MOTCUA_BIND", "127.0.0.1:8000")
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL") or f"http://{'127.0.0.1:8000' if ':/' in _BIND else _BIND}"
MOTCUA_NATIONAL_URL = os.environ.get("MOTCUA_NATIONAL_URL") or f"{MOTCUA_PUBLIC_URL.rstrip('/')}/national/api"
MOTCUA_NATIONAL_CLIENT_ID = os.environ.get("MOTCUA_NATIONAL_CLIENT_ID", "")
MOTCUA_NATIONAL_CLIENT_SECRET = os.environ.get("MOTCUA_NATIONAL_CLIENT_SECRET", "")
if not MOTCUA_NATIONAL_CLIENT_ID and MOTCUA_DEV:
    # the demo runs the monitor beside the node under the same key; `motcua demo` registers this client
    from motcua.protocol.signing import node_secret

    MOTCUA_NATIONAL_CLIENT_ID = f"{MOTCUA_NODE_CODE.lower()}-demo"
    MOTCUA_NATIONAL_CLIENT_SECRET = node_secret(SECRET_KEY, MOTCUA_NATIONAL_CLIENT_ID)
MOTCUA_NATIONAL_TIMEOUT = float(os.environ.get("MOTCUA_NATIONAL_TIMEOUT", "15"))
MOTCUA_SYNC_LEASE_SECONDS = float(os.environ.get("MOTCUA_SYNC_LEASE_SECONDS", "60"))
MOTCUA_SYNC_BACKOFF_BASE_SECONDS = float(os.environ.get("MOTCUA_SYNC_BACKOFF_BASE_SECONDS", "1"))
# `motcua sync-status` and the national monitor warn when a node has not synced for longer than this
MOTCUA_SYNC_STALE_MINUTES = float(os.environ.get("MOTCUA_SYNC_STALE_MINUTES", "15"))
# the index pages warn when their rollups are older than this (twice `motcua index rollup --every 60`)
MOTCUA_ROLLUP_STALE_SECONDS = float(os.environ.get("MOTCUA_ROLLUP_STALE_SECONDS", "120"))
MOTCUA_OFFICE_HOURS = os.environ.get("MOTCUA_OFFICE_HOURS", "07:30-11:30,13:00-17:00")
MOTCUA_CALENDAR_YEARS = (2015, 2040)

# Client addresses and shared limits (common/net.py, common/ratelimit.py, api/tracking.py). The client address is
# REMOTE_ADDR unless REMOTE_ADDR is one of these proxies: then the right-most X-Forwarded-For entry not among them.
MOTCUA_TRUSTED_PROXIES = os.environ.get("MOTCUA_TRUSTED_PROXIES", "")
NINJA_NUM_PROXIES = 0  # django-ninja reads REMOTE_ADDR, already the client's (common.net.ClientAddressMiddleware)
MOTCUA_PUBLIC_API_RATE = os.environ.get("MOTCUA_PUBLIC_API_RATE", "600/m")  # anonymous API requests per address
MOTCUA_TRACKING_RATE = os.environ.get("MOTCUA_TRACKING_RATE", "30/m")  # tracking lookups per address, API + page
MOTCUA_TRACKING_MISS_RATE = os.environ.get("MOTCUA_TRACKING_MISS_RATE", "10/h")  # failed, per address and per phone
MOTCUA_TRACKING_PREFIX_MISS_RATE = os.environ.get("MOTCUA_TRACKING_PREFIX_MISS_RATE", "60/h")  # per desk-day prefix
from motcua.common.net import parse_trusted  # noqa: E402
from motcua.common.ratelimit import Rate, caches  # noqa: E402

try:
    parse_trusted(MOTCUA_TRUSTED_PROXIES)
    for _rate in (MOTCUA_PUBLIC_API_RATE, MOTCUA_TRACKING_RATE, MOTCUA_TRACKING_MISS_RATE):
        Rate.parse(_rate)
    Rate.parse(MOTCUA_TRACKING_PREFIX_MISS_RATE)
except ValueError as exc:
    raise ImproperlyConfigured(f"MOTCUA_TRUSTED_PROXIES or a MOTCUA_*_RATE is invalid: {exc}") from None
# Limits and lockouts must be shared by every process: Redis at REDIS_URL (Django's own backend); local memory only
# in the demo and the tests (MOTCUA_DEV); production refuses to start without REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = caches(REDIS_URL, MOTCUA_DEV)
MOTCUA_DOSSIER_CODE_PATTERN = os.environ.get("MOTCUA_DOSSIER_CODE_PATTERN", "{agency_code}-{yymmdd}-{seq:04d}")

LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
