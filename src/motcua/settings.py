"""Django settings, read from the environment (12-factor).

DATABASE_URL    default: SQLite at ./var/motcua.sqlite3 (WAL)
SECRET_KEY      required when DEBUG is off
DEBUG           "1" to enable
MOTCUA_NATIONAL_URL, MOTCUA_NATIONAL_CLIENT_ID, MOTCUA_NATIONAL_CLIENT_SECRET  the national portal and this
                node's credentials there (demo: derived for the monitor that runs beside the node)
ALLOWED_HOSTS   comma-separated
MOTCUA_VAR_DIR  where SQLite, uploads and logs live (default ./var)
MOTCUA_OFFICE_HOURS  office sessions, default "07:30-11:30,13:00-17:00"
LOG_FORMAT      "json" (default) or "text"
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-dev-key-only-for-local-demo" if DEBUG or os.environ.get("MOTCUA_DEV") else None
)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 or MOTCUA_DEV=1 locally)")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the Swagger UI assets itself: no CDN
    "django_htmx",
    "motcua.common",
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
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
AUTH_USER_MODEL = "identity.User"

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
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not os.environ.get("MOTCUA_DEV"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MOTCUA_UPLOAD_MAX_BYTES = int(os.environ.get("MOTCUA_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:after-login"
LOGOUT_REDIRECT_URL = "portal:home"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua@localhost")
SESSION_COOKIE_AGE = 8 * 3600

MOTCUA_SITE_NAME = os.environ.get("MOTCUA_SITE_NAME", "Tây Ninh")
MOTCUA_PROVINCE_CODE = os.environ.get("MOTCUA_PROVINCE_CODE", "80")
MOTCUA_TRACKING_PER_MINUTE = int(os.environ.get("MOTCUA_TRACKING_PER_MINUTE", "30"))
MOTCUA_NODE_CODE = os.environ.get("MOTCUA_NODE_CODE", "H53")
MOTCUA_NATIONAL_URL = os.environ.get("MOTCUA_NATIONAL_URL", "http://127.0.0.1:8000/national/api")
MOTCUA_NATIONAL_CLIENT_ID = os.environ.get("MOTCUA_NATIONAL_CLIENT_ID", "")
MOTCUA_NATIONAL_CLIENT_SECRET = os.environ.get("MOTCUA_NATIONAL_CLIENT_SECRET", "")
if not MOTCUA_NATIONAL_CLIENT_ID and (DEBUG or os.environ.get("MOTCUA_DEV")):
    # the demo runs the monitor beside the node under the same key; `motcua demo` registers this client
    from motcua.protocol.signing import node_secret

    MOTCUA_NATIONAL_CLIENT_ID = f"{MOTCUA_NODE_CODE.lower()}-demo"
    MOTCUA_NATIONAL_CLIENT_SECRET = node_secret(SECRET_KEY, MOTCUA_NATIONAL_CLIENT_ID)
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")  # links in the national payload
MOTCUA_NATIONAL_TIMEOUT = float(os.environ.get("MOTCUA_NATIONAL_TIMEOUT", "15"))
MOTCUA_SYNC_LEASE_SECONDS = float(os.environ.get("MOTCUA_SYNC_LEASE_SECONDS", "60"))
MOTCUA_SYNC_BACKOFF_BASE_SECONDS = float(os.environ.get("MOTCUA_SYNC_BACKOFF_BASE_SECONDS", "1"))
MOTCUA_OFFICE_HOURS = os.environ.get("MOTCUA_OFFICE_HOURS", "07:30-11:30,13:00-17:00")
MOTCUA_CALENDAR_YEARS = (2015, 2040)
MOTCUA_PUBLIC_API_RATE = os.environ.get("MOTCUA_PUBLIC_API_RATE", "600/m")
MOTCUA_TRACKING_RATE = os.environ.get("MOTCUA_TRACKING_RATE", "30/m")
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
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
