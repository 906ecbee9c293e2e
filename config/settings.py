"""Settings for kaohe, read from the environment (see .env.example and README "Configuration")."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KAOHE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# A secret key is mandatory outside DEBUG; the dev default only works with DEBUG on.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key" if DEBUG else None)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "kaohe.core",
    "kaohe.organisations",
    "kaohe.accounts",
    "kaohe.plans",
    "kaohe.submissions",
    "kaohe.insights",
    "kaohe.scoring",
    "kaohe.results",
    "kaohe.reviews",
    "kaohe.inspections.fieldwork",
    "kaohe.inspections.abilitytests",
    "kaohe.inspections.casefiles",
    "kaohe.api",
    "kaohe.demo",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kaohe.core.middleware.SecurityHeadersMiddleware",
    "kaohe.core.middleware.RequestContextMiddleware",
    "kaohe.accounts.middleware.AccountPolicyMiddleware",
    # Axes must be last: it inspects the response of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "kaohe.core.template_enums.enums",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite under var/ by default; PostgreSQL (psycopg 3) via DATABASE_URL in production.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kaohe.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Django's four, with their messages in Chinese (kaohe/accounts/validators.py)
    {"NAME": "kaohe.accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "kaohe.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "kaohe.accounts.validators.CommonPasswordValidator"},
    {"NAME": "kaohe.accounts.validators.NumericPasswordValidator"},
    {"NAME": "kaohe.accounts.validators.CharacterClassValidator"},
    {"NAME": "kaohe.accounts.validators.PasswordHistoryValidator"},
]

# Account security (等保 2.0), read by kaohe/accounts/policy.py
KAOHE_PASSWORD_MAX_AGE_DAYS = env_int("KAOHE_PASSWORD_MAX_AGE_DAYS", 90)  # 0 = never expires
KAOHE_PASSWORD_HISTORY_COUNT = env_int("KAOHE_PASSWORD_HISTORY_COUNT", 5)
KAOHE_TOTP_REQUIRED_ROLES = env_list("KAOHE_TOTP_REQUIRED_ROLES", [])  # e.g. office,system_admin,security_admin,audit_admin
KAOHE_TOTP_MAX_ATTEMPTS = env_int("KAOHE_TOTP_MAX_ATTEMPTS", 5)
KAOHE_TOTP_ISSUER = env_str("KAOHE_TOTP_ISSUER", "依法行政考核督导平台")
KAOHE_TOTP_ENCRYPTION_KEY = env_str("KAOHE_TOTP_ENCRYPTION_KEY", "")  # empty: derived from SECRET_KEY
KAOHE_TOTP_ENCRYPTION_KEY_FALLBACKS = env_list("KAOHE_TOTP_ENCRYPTION_KEY_FALLBACKS", [])
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])

# The audit chain's HMAC key (kaohe/core/audit.py). Kept outside the database, in the deployment's secret store
# (KAOHE_AUDIT_KEY_FILE), so whoever can write the database cannot recompute the chain. Rotation: the new key
# here, every earlier key in KAOHE_AUDIT_KEYS_OLD (comma-separated), which still verifies the events it sealed.
KAOHE_AUDIT_KEY = env_str("KAOHE_AUDIT_KEY", "dev-only-insecure-audit-key-do-not-use-in-production" if DEBUG else None)
KAOHE_AUDIT_KEYS_OLD = env_list("KAOHE_AUDIT_KEYS_OLD", [])
if not DEBUG and len(KAOHE_AUDIT_KEY) < 32:
    raise ImproperlyConfigured("KAOHE_AUDIT_KEY must be at least 32 characters (make one with secrets.token_urlsafe(50))")
# Checkpoints of the chain head (manage.py audit_checkpoint) are appended to this file, outside the database.
KAOHE_AUDIT_ANCHOR_FILE = env_str("KAOHE_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.log"))
# The installation's Ed25519 key pair that signs exports of published results (kaohe/api/signing.py): made on
# first use, readable by the application's user only. Its public key is what other installations register.
KAOHE_EXCHANGE_KEY_FILE = env_str("KAOHE_EXCHANGE_KEY_FILE", str(VAR_DIR / "exchange-signing-key.pem"))

# Behind reverse proxies (nginx): trust X-Forwarded-Proto, and take the client's address from X-Forwarded-For,
# KAOHE_PROXY_COUNT entries from the right (one per trusted proxy; 1 = nginx alone). Never trusted otherwise.
KAOHE_BEHIND_PROXY = env_bool("KAOHE_BEHIND_PROXY", False)
KAOHE_PROXY_COUNT = env_int("KAOHE_PROXY_COUNT", 1) if KAOHE_BEHIND_PROXY else 0
if KAOHE_BEHIND_PROXY and not 1 <= KAOHE_PROXY_COUNT <= 10:
    raise ImproperlyConfigured(f"KAOHE_PROXY_COUNT={KAOHE_PROXY_COUNT}: the number of trusted proxies, 1 to 10")

# Lockout after repeated failures (django-axes): per username + client address (kaohe/core/clientip.py), so
# failures from one address never lock the same user out at another.
AXES_FAILURE_LIMIT = env_int("KAOHE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("KAOHE_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kaohe.core.clientip.axes_client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lockouts are read and released by the 安全管理员 on /accounts/security/ (audited); not in the Django admin.
AXES_ENABLE_ADMIN = False

# Sessions: server-side (database) so several app servers can share them; idle timeout.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("KAOHE_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "kaohe.core.views.csrf_failure"

# HTTPS hardening, on when the site is served over TLS (production).
HTTPS = env_bool("KAOHE_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("KAOHE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("KAOHE_HSTS_PRELOAD", False)
# HSTS preload is a deliberate opt-in (KAOHE_HSTS_PRELOAD=true): intranet hosts are usually not on the list.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # plain-HTTP health checks from the load balancer
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if KAOHE_BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: downloads go through access-checked views

# File storage: local disk by default, S3-compatible object storage when KAOHE_S3_BUCKET is set.
S3_BUCKET = env_str("KAOHE_S3_BUCKET", "")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("KAOHE_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("KAOHE_S3_REGION", "") or None,
            "access_key": env_str("KAOHE_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("KAOHE_S3_SECRET_KEY", "") or None,
            "addressing_style": env_str("KAOHE_S3_ADDRESSING_STYLE", "path"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("KAOHE_TESTING", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# Upload limits.
KAOHE_IMPORT_MAX_BYTES = env_int("KAOHE_IMPORT_MAX_MB", 20) * 1024 * 1024
KAOHE_EVIDENCE_MAX_BYTES = env_int("KAOHE_EVIDENCE_MAX_MB", 200) * 1024 * 1024
KAOHE_EVIDENCE_MAX_FILES_PER_REQUEST = env_int("KAOHE_EVIDENCE_MAX_FILES", 20)
DATA_UPLOAD_MAX_NUMBER_FILES = 100
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads spool to a temporary file, never to memory
FILE_UPLOAD_TEMP_DIR = env_str("KAOHE_UPLOAD_TEMP_DIR", "") or None
# Per-user upload rate limits (kaohe/core/ratelimit.py), 0 = off; off by default in the test suite only.
_UPLOAD_RATE_ON = not env_bool("KAOHE_TESTING", False)
KAOHE_UPLOAD_RATE_FILES_PER_MINUTE = env_int("KAOHE_UPLOAD_RATE_FILES_PER_MINUTE", 30 if _UPLOAD_RATE_ON else 0)
KAOHE_UPLOAD_RATE_BYTES_PER_HOUR = env_int("KAOHE_UPLOAD_RATE_MB_PER_HOUR", 2000 if _UPLOAD_RATE_ON else 0) * 1024 * 1024

# Cache: it holds the upload rate-limit counters, so every app server must share it. "database" (the table
# made by `manage.py createcachetable`, run by `make migrate` and in docs/deploy.md) is the production
# default; "locmem" keeps it per process (DEBUG, the test suite, one worker).
KAOHE_CACHE = env_str("KAOHE_CACHE", "locmem" if DEBUG or env_bool("KAOHE_TESTING", False) else "database")
_CACHE_BACKENDS = {
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kaohe_cache"},
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kaohe"},
}
if KAOHE_CACHE not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(f"KAOHE_CACHE={KAOHE_CACHE!r}: use database or locmem")
CACHES = {"default": {**_CACHE_BACKENDS[KAOHE_CACHE], "OPTIONS": {"MAX_ENTRIES": 100_000}}}

# Background work (django-tasks, database backend; `manage.py db_worker` runs it).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Long work runs as a background job (kaohe.core.jobs; `manage.py db_worker` runs them): computing and exporting the
# results of a plan with at least this many units, and zip archives of evidence of at least this size.
KAOHE_JOB_MIN_UNITS = env_int("KAOHE_JOB_MIN_UNITS", 300)
KAOHE_JOB_ARCHIVE_MIN_BYTES = env_int("KAOHE_JOB_ARCHIVE_MIN_MB", 200) * 1024 * 1024

# E-mail: copies of in-app notifications for users who opted in (accounts: 邮件通知). The console backend
# prints them (nothing leaves the machine) until an SMTP server is configured.
EMAIL_BACKEND = env_str("KAOHE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kaohe@localhost")
# The platform's address as users reach it, for links in e-mails (e.g. https://kaohe.example.gov.cn).
KAOHE_SITE_URL = env_str("KAOHE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KAOHE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
