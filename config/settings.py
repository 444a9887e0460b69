"""Settings for the massage clinic planner.

Every value comes from the environment (or a ``.env`` file beside ``manage.py``) with a safe
development default. ``DEBUG`` is off unless ``DJANGO_DEBUG=1``; with it off the app refuses to
start without a real ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``. ``DATABASE_URL`` switches
from the SQLite file to PostgreSQL. The README lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

if not DEBUG:
    if (
        len(SECRET_KEY) < 50
        or SECRET_KEY == _DEV_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
    ):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters when "
            "DEBUG is off (generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(64))'). For development set DJANGO_DEBUG=1."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the host names this site answers to when DEBUG is "
            "off, e.g. DJANGO_ALLOWED_HOSTS=clinic.example.org. For development set DJANGO_DEBUG=1."
        )

INSTALLED_APPS = [
    "config.apps.AdminConfig",  # django.contrib.admin with the clinic's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "adminsortable2",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes for two-factor sign-in
    "huey.contrib.djhuey",
    "clinic",
    "patients",
    "protocols",
    "documents",
    "front",
    "ops",
    "messaging",
    "reports",
    "interop",
    "audit",
]

# The audit trail (audit/): django-auditlog writing to our table, which also holds the clinic and
# patient of each entry. Restoring a backup (raw saves) is not a change to audit again.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
AUDITLOG_DISABLE_ON_RAW_SAVE = True
# django-auditlog's own migrations would create its (swapped-out, unused) entry table, which then
# blocks ``flush`` on PostgreSQL; our entry table is created by audit/migrations instead.
MIGRATION_MODULES = {"auditlog": None}

# Two-factor sign-in for all staff (clinic/two_factor.py): the name authenticator apps show.
OTP_TOTP_ISSUER = env("DJANGO_OTP_ISSUER", default="Massage course planner")

MIDDLEWARE = [
    # First: the load balancer's probe is answered over plain HTTP, whatever the Host header.
    "front.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "clinic.two_factor.TwoFactorMiddleware",
    "audit.context.AuditContextMiddleware",
    "clinic.middleware.IdleTimeoutMiddleware",
    "clinic.middleware.NoStoreMiddleware",
    "clinic.middleware.UserLanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into its page
]

AUTHENTICATION_BACKENDS = [
    "clinic.backends.AddressThrottleBackend",  # refuses an address with too many failures
    "axes.backends.AxesStandaloneBackend",  # counts failed sign-ins first
    "clinic.backends.StaffBackend",  # Django's ModelBackend, reading a user in 2 queries not 4
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
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://user:pass@host:5432/name for PostgreSQL.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# Persistent connections (seconds; 0 = a new connection per request) are checked before reuse, so
# a connection the database or a pooler dropped is replaced instead of failing the request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer writes; IMMEDIATE takes the write lock at the start of
    # a transaction, so two concurrent writers wait for each other instead of failing midway.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "clinic.User"

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

LOGIN_URL = "login"
LOGOUT_REDIRECT_URL = "login"

# PDF rendering: the processes every document renders in, from how many sheets a day is split
# into documents rendered in parallel, how long one document may take (keep it below the web
# server's own timeout, so the user sees the message), and how much memory a rendering process
# may use (address space: one needs about 0.35 GB for its code and fonts).
PDF_WORKERS = env.int("PDF_WORKERS", default=os.cpu_count() or 1)
PDF_PARALLEL_FROM = env.int("PDF_PARALLEL_FROM", default=6)
PDF_TIMEOUT_SECONDS = env.int("PDF_TIMEOUT_SECONDS", default=30)
PDF_MEMORY_LIMIT_MB = env.int("PDF_MEMORY_LIMIT_MB", default=1024)
# From how many sheets a day's PDF is rendered in the background behind a progress bar.
PDF_BACKGROUND_FROM = env.int("PDF_BACKGROUND_FROM", default=12)
# How many documents one user may have rendering at once (background jobs included).
PDF_RENDERS_PER_USER = env.int("PDF_RENDERS_PER_USER", default=2)
# Rendered handouts are kept (documents/cache.py) in files under DOCUMENT_CACHE_DIR, shared by the
# workers of one machine (empty: in each worker's memory), for DOCUMENT_CACHE_DAYS.
DOCUMENT_CACHE_DIR = env.str("DOCUMENT_CACHE_DIR", default=str(BASE_DIR / "cache" / "documents"))
DOCUMENT_CACHE_SECONDS = env.int("DOCUMENT_CACHE_DAYS", default=7) * 24 * 3600
# The default cache holds short-lived counters (the patient links' rate limit). Each process has
# its own unless CACHE_URL (e.g. redis://127.0.0.1:6379/1, or dbcache://cache_table after
# `manage.py createcachetable`) shares them between the servers of a chain.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
    "documents": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DOCUMENT_CACHE_DIR,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
    if DOCUMENT_CACHE_DIR
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "documents",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}

# Background and scheduled work: Huey (huey.contrib.djhuey), one setting picks its storage.
# TASK_QUEUE=sqlite (the default): a file beside the SQLite database (HUEY_SQLITE_PATH), one
# machine. TASK_QUEUE=postgres: tables in HUEY_DATABASE_URL (default DATABASE_URL), workers on
# any number of machines. TASK_QUEUE=redis: HUEY_REDIS_URL. HUEY_IMMEDIATE=1 runs every task in
# the process that enqueues it (the tests do; no worker needed).
TASK_QUEUE = env.str("TASK_QUEUE", default="sqlite")
HUEY_IMMEDIATE = env.bool("HUEY_IMMEDIATE", default=False)
HUEY_WORKERS = env.int("HUEY_WORKERS", default=2)
HUEY = {
    "name": env.str("HUEY_NAME", default="clinic"),
    "immediate": HUEY_IMMEDIATE,
    "utc": True,
    "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread", "periodic": True},
}
if TASK_QUEUE == "sqlite":
    HUEY |= {
        "huey_class": "huey.SqliteHuey",
        "filename": env.str("HUEY_SQLITE_PATH", default=str(BASE_DIR / "tasks.sqlite3")),
    }
elif TASK_QUEUE == "postgres":
    HUEY |= {
        "huey_class": "huey.PostgresHuey",
        "dsn": env.str("HUEY_DATABASE_URL", default="") or env.str("DATABASE_URL", default=""),
    }
elif TASK_QUEUE == "redis":
    HUEY |= {"huey_class": "huey.RedisHuey", "url": env.str("HUEY_REDIS_URL")}
else:
    raise ImproperlyConfigured("TASK_QUEUE must be sqlite, postgres or redis.")

# Mail: EMAIL_URL in django-environ's form (smtp+tls://user:password@host:587,
# consolemail://, filemail:///path). Without it (and DEBUG off) nothing is sent: messages stay in
# the outbox as failed, saying no mail server is set. DEBUG prints mail to the console.
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://" if DEBUG else "")
MAIL_CONFIGURED = bool(EMAIL_URL)
if EMAIL_URL:
    globals().update(env.email_url_config(EMAIL_URL))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="clinic@localhost")
# A mail server that accepts the connection and then hangs must not hold a worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address patients reach the site at, for the links in their messages (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
if not DEBUG and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "SITE_URL must be the https:// address patients reach the site at when DEBUG is off "
        "(the links in their reminders point there), e.g. SITE_URL=https://clinic.example.org."
    )
# "Forgot your password?" by mail (clinic/password_reset.py): on when mail can be sent, unless
# DJANGO_PASSWORD_RESET=0; each address may ask PASSWORD_RESET_LIMIT times an hour.
PASSWORD_RESET_ENABLED = env.bool("DJANGO_PASSWORD_RESET", default=MAIL_CONFIGURED)
PASSWORD_RESET_LIMIT = env.int("DJANGO_PASSWORD_RESET_LIMIT", default=5)
PASSWORD_RESET_WINDOW = timedelta(hours=1)
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for an hour
# SMS, in the style of EMAIL_BACKEND: a dotted path to a class with send_messages(messages).
# The app brings a console and a file backend (SMS_FILE_PATH); empty means no SMS is sent.
SMS_BACKEND = env.str("SMS_BACKEND", default="messaging.sms.ConsoleBackend" if DEBUG else "")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "sms-outbox"))

# Background PDFs: a job with no heartbeat for PDF_STALL_SECONDS lost its worker and is run
# again (at most PDF_JOB_ATTEMPTS times); a finished PDF is deleted after PDF_RETENTION_HOURS.
PDF_STALL_SECONDS = env.int("PDF_STALL_SECONDS", default=120)
PDF_JOB_ATTEMPTS = env.int("PDF_JOB_ATTEMPTS", default=3)
PDF_RETENTION_HOURS = env.int("PDF_RETENTION_HOURS", default=24)

# How many days in the past a course may still be planned to start (e.g. entered after the fact).
PLAN_START_GRACE_DAYS = env.int("PLAN_START_GRACE_DAYS", default=7)
LOGIN_REDIRECT_URL = "/"

# Internationalisation: English and Russian.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["clinic.formats"]
USE_I18N = True
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Production defaults are strict; each can be relaxed from the environment.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# The health check answers plain HTTP (HealthCheckMiddleware answers it before the redirect; this
# keeps it so should the middleware order change).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions end after this many idle minutes (requests extend them, polls do not:
# IdleTimeoutMiddleware), and in any case this many hours after signing in.
IDLE_TIMEOUT_MINUTES = env.int("DJANGO_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = IDLE_TIMEOUT_MINUTES * 60
SESSION_MAX_AGE_HOURS = env.float("DJANGO_SESSION_MAX_AGE_HOURS", default=12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is refused for the cool-off period, then may try again. Locking
# the pair rather than the username means nobody can lock a therapist out from elsewhere.
AXES_FAILURE_LIMIT = env.int("DJANGO_SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_SIGNIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clinic.security.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.request.client_ip"
AXES_USERNAME_CALLABLE = "clinic.security.client_username"
AXES_VERBOSE = False
# And whatever the usernames (password spraying): after SIGNIN_ADDRESS_FAILURE_LIMIT failed
# sign-ins from one address within SIGNIN_ADDRESS_COOLOFF, every sign-in from it is refused until
# the failures are older than that (clinic.backends.AddressThrottleBackend; counted from the
# failed sign-ins on the audit trail, so it holds across servers and restarts).
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("DJANGO_SIGNIN_ADDRESS_FAILURE_LIMIT", default=20)
SIGNIN_ADDRESS_COOLOFF = timedelta(
    minutes=env.int("DJANGO_SIGNIN_ADDRESS_COOLOFF_MINUTES", default=30)
)

# Content-Security-Policy (django-csp): scripts and everything else from this site only, no
# inline scripts; inline style attributes stay allowed (the admin uses them).
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
    }
}
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO; keep its warnings (e.g. refused URLs) only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Huey's own logger, once: with a handler here, run_huey adds none of its own (which
        # printed every worker line twice, its copy and the root's).
        "huey": {"handlers": ["console"], "propagate": False},
    },
}
