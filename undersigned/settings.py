"""The one settings module. Every knob is an environment variable (see .env.example)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from undersigned.lib import env
from undersigned.lib.stores import file_stores

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("VAR_DIR", str(BASE_DIR / "var")))
# Where the files every node needs are kept (pictures, delivery packs, the outbox): a
# folder all nodes share, when STORAGE_BACKEND does not put them elsewhere. VAR_DIR stays
# each node's own (its secret-key file, its test databases).
STORAGE_DIR = Path(env.string("STORAGE_DIR", str(VAR_DIR)))

DEBUG = env.boolean("DEBUG", False)

# `make run` keeps a random key and the address it serves under VAR_DIR, so that commands
# in another shell of the same checkout sign and print links for that site (lib/env.py).
SECRET_KEY = env.secret_key("SECRET_KEY", VAR_DIR / "secret-key", create=DEBUG)
SITE_URL = env.site_url("SITE_URL", VAR_DIR / "site-url")
ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = [SITE_URL]
SITE_NAME = env.string("SITE_NAME", "Undersigned")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_countries",
    "ninja",
    "undersigned.lib",
    "undersigned.jobs",
    "undersigned.accounts",
    "undersigned.regions",
    "undersigned.petitions",
    "undersigned.signatures",
    "undersigned.moderation",
    "undersigned.transparency",
    "undersigned.api",
    "undersigned.privacy",
    "undersigned.dashboard",
    "undersigned.updates",
    "undersigned.responses",
    "undersigned.delivery",
    "undersigned.sharing",
    "undersigned.representatives",
]

MIDDLEWARE = [
    "undersigned.web.pagecache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "undersigned.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "undersigned.web.health.DatabaseOutageMiddleware",
    "undersigned.web.middleware.BadRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "undersigned.web.middleware.AllowedMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "undersigned.urls"
WSGI_APPLICATION = "undersigned.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "undersigned" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "undersigned.lib.context.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'undersigned.sqlite3'}")
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so concurrency tests really run several connections at once.
    # One per process, so two test runs on one machine never share a database file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif "TEST" not in DATABASES["default"]:
    # On PostgreSQL too: two suites at once (CI beside a developer's run) never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
# Read replicas (web/replicas.py): public GET reads go to a healthy one, at most
# REPLICA_MAX_LAG_SECONDS behind; a browser that wrote reads the primary for
# REPLICA_PIN_SECONDS. None: every read goes to the primary, with no router at all.
REPLICA_MAX_LAG_SECONDS = env.integer("REPLICA_MAX_LAG_SECONDS", 5, minimum=1)
REPLICA_PIN_SECONDS = env.integer("REPLICA_PIN_SECONDS", 15, minimum=2)
REPLICA_DATABASES: list[str] = []
for _number, _replica in enumerate(env.replica_databases("DATABASE_REPLICA_URLS"), start=1):
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL.")
    DATABASES[f"replica{_number}"] = _replica
    REPLICA_DATABASES.append(f"replica{_number}")
if REPLICA_DATABASES and REPLICA_PIN_SECONDS <= REPLICA_MAX_LAG_SECONDS:
    raise ImproperlyConfigured(
        "REPLICA_PIN_SECONDS must be longer than REPLICA_MAX_LAG_SECONDS: a person's own "
        "write must be on any replica they read from once the pin is gone."
    )
DATABASE_ROUTERS = ["undersigned.web.replicas.ReplicaRouter"] if REPLICA_DATABASES else []
if REPLICA_DATABASES:
    # Just inside DatabaseOutageMiddleware, whose 503 must not catch a replica's failure.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("undersigned.web.health.DatabaseOutageMiddleware") + 1,
        "undersigned.web.replicas.ReplicaMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "accounts:dashboard"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

REDIS_URL = env.redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": env.string("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

_email = env.email("EMAIL_URL", str(STORAGE_DIR / "outbox"), BASE_DIR)
OUTBOX_DIR = _email.pop("OUTBOX_DIR")
globals().update(_email)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
# Native names, so a visitor finds their language whatever the page is in.
LANGUAGES = [
    ("en", "English"),
    ("hy", "Հայերեն"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
# Django has no Armenian number and date formats; ours are in undersigned/formats/hy.
FORMAT_MODULE_PATH = ["undersigned.formats"]
LOCALE_PATHS = [BASE_DIR / "undersigned" / "locale"]
TIME_ZONE = env.string("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "undersigned" / "static"]
# Every file the site writes goes through a storage, so that any node reads what another
# wrote: "default" (pictures, served by the app), "deliveries" (delivery packs, private,
# never served as static) and "outbox" (development e-mails). Folders under STORAGE_DIR
# by default (one machine, or a folder all nodes share); STORAGE_BACKEND puts all three
# in one private bucket instead (docs/operations.md, "Shared files").
MEDIA_ROOT = Path(env.string("MEDIA_DIR", str(STORAGE_DIR / "media")))
DELIVERY_DIR = Path(env.string("DELIVERY_DIR", str(STORAGE_DIR / "deliveries")))
STORAGE_BACKEND = env.string("STORAGE_BACKEND")


if STORAGE_BACKEND:
    # django-storages' S3 backend reads these settings (any S3-compatible store;
    # `pip install 'undersigned[s3]'`).
    for _name in (
        "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_S3_ADDRESSING_STYLE",
    ):  # fmt: skip
        if env.string(_name):
            globals()[_name] = env.string(_name)
STORAGES = {
    **file_stores(STORAGE_BACKEND),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Requests larger than this are refused with our own 413 page; a petition text fits easily.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.integer("MAX_REQUEST_BYTES", 256 * 1024, minimum=16 * 1024)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SITE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # __Host- cookies: only over https, only for this exact host, path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_SAMESITE = "Lax"
# The language choice, like the session and the sign form's "signed_as" cookie
# (signatures/views.py), is Secure on an https site, Lax, and out of scripts' reach.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 14 * 86400, minimum=300)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if SITE_URL.startswith("https://"):
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
X_FRAME_OPTIONS = "DENY"

# Signing and confirmation.
SIGNATURE_TOKEN_DAYS = env.integer("SIGNATURE_TOKEN_DAYS", 30, minimum=1)
SIGNATURE_MAX_CONFIRMATION_EMAILS = env.integer("SIGNATURE_MAX_CONFIRMATION_EMAILS", 3, minimum=1)
# A signer who has not confirmed this many hours after their e-mail gets one reminder
# (signatures/reminders.py; 0: no reminders).
SIGNATURE_REMINDER_HOURS = env.integer("SIGNATURE_REMINDER_HOURS", 24, minimum=0)
# Confirmed supporters a submitted petition needs before it reaches the moderators
# (petitions/supporters.py; 0: none, it goes to moderation at once).
PETITION_SUPPORTERS_REQUIRED = env.integer("PETITION_SUPPORTERS_REQUIRED", 0, minimum=0)
# The worker sends confirmation e-mails this many per SMTP connection (one claim each).
CONFIRMATION_MAIL_BATCH = env.integer("CONFIRMATION_MAIL_BATCH", 100, minimum=1)
# The worker lowers its CPU priority by this much (os.nice), so that a backlog of e-mails
# takes the CPU the web servers leave, not the other way round (0: same as the web).
WORKER_NICE = env.integer("WORKER_NICE", 10, minimum=0)
SIGN_IN_LINK_MINUTES = env.integer("SIGN_IN_LINK_MINUTES", 60, minimum=5)
COUNT_CACHE_SECONDS = env.integer("COUNT_CACHE_SECONDS", 2, minimum=0)
# Public pages for visitors without a session are served from memory this long (0: off).
# With COUNT_CACHE_SECONDS this bounds how far a displayed count lags: 2 + 2 seconds.
PAGE_CACHE_SECONDS = env.integer("PAGE_CACHE_SECONDS", 2, minimum=0)
# Load shedding (web/shedding.py): each server process runs at most OVERLOAD_RUNNING
# requests in Django at once, the others wait their turn in order, and a request whose
# expected wait is longer than OVERLOAD_QUEUE_MS gets a fast 503 with Retry-After
# (milliseconds; 0: never refuse). Few places per process: the requests in Django take
# turns at the interpreter lock, and every other request, a refusal too, waits for it.
OVERLOAD_QUEUE_MS = env.integer("OVERLOAD_QUEUE_MS", 500, minimum=0)
OVERLOAD_RUNNING = env.integer("OVERLOAD_RUNNING", 2, minimum=0)
# Messages live in a signed cookie, never the session: reading them must not make a
# public page vary by session.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
# Anti-fraud. How many proxies of ours stand in front of the site (0: trust REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    # Our own proxy terminates TLS and says so; without one, nobody may claim https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
IP_HASH_ROTATION_HOURS = env.integer("IP_HASH_ROTATION_HOURS", 24, minimum=1)
# Per petition, per address (IPv4 /32, IPv6 /64): a burst per minute and a sustained rate
# per hour; per e-mail domain per hour. Signatures past them are kept but not counted.
LIMIT_ADDRESS_PER_MINUTE = env.integer("LIMIT_ADDRESS_PER_MINUTE", 5, minimum=1)
LIMIT_ADDRESS_PER_HOUR = env.integer("LIMIT_ADDRESS_PER_HOUR", 30, minimum=1)
LIMIT_DOMAIN_PER_HOUR = env.integer("LIMIT_DOMAIN_PER_HOUR", 1000, minimum=1)
# Domains so common that a per-domain limit would only hurt real people.
LIMIT_DOMAIN_EXEMPT = env.strings(
    "LIMIT_DOMAIN_EXEMPT",
    "gmail.com,yahoo.com,outlook.com,hotmail.com,icloud.com,mail.ru,yandex.ru,gmx.de,web.de",
)
# Signatures an hour from one address block or domain before moderators are alerted.
TRENDING_THRESHOLD = env.integer("TRENDING_THRESHOLD", 50, minimum=1)
# Proof of work: counters a browser tries, about half this many SHA-256 on average.
POW_MAX_NUMBER = env.integer("POW_MAX_NUMBER", 20_000, minimum=1_000)
# The consent text shown at the sign form; its version is stored with each signature.
CONSENT_VERSION = "2026-11-1"
# Privacy: signers of a petition are anonymised this many months after it closes.
RETENTION_MONTHS = env.integer("RETENTION_MONTHS", 6, minimum=1)
PRIVACY_CONTACT_EMAIL = env.string("PRIVACY_CONTACT_EMAIL", "")

# Benchmarks only: route the minimal "floor" sign view (see signatures/floor.py).
BENCH_FLOOR = env.boolean("BENCH_FLOOR", False)
# Local development only: let webhooks reach loopback (127.0.0.1, ::1), e.g. a receiver
# on this machine. Private, link-local and other non-public addresses stay refused. In
# production it would let organizers post to services listening on the server itself.
WEBHOOK_ALLOW_LOOPBACK = env.boolean("WEBHOOK_ALLOW_LOOPBACK", False)
if WEBHOOK_ALLOW_LOOPBACK and not DEBUG:
    raise ImproperlyConfigured(
        "WEBHOOK_ALLOW_LOOPBACK is for local development: only with DEBUG=1."
    )
# The public signature logs (docs/transparency.md): how often checkpoints are signed, and
# the Ed25519 key that signs them (base64 of 32 bytes; unset: one made in VAR_DIR).
TRANSPARENCY_CHECKPOINT_SECONDS = env.integer("TRANSPARENCY_CHECKPOINT_SECONDS", 300, minimum=1)
TRANSPARENCY_KEY = env.string("TRANSPARENCY_KEY")
# How many web nodes serve the site (docs/operations.md, "Running several nodes"). With
# more than one, limits and caches must be shared (REDIS_URL) and every node must sign
# with the same TRANSPARENCY_KEY: `manage.py check` says so (lib/checks.py).
CLUSTER_NODES = env.integer("CLUSTER_NODES", 1, minimum=1)
# How often the worker's clock runs periodic jobs (closing petitions, refreshing counts).
CLOCK_SECONDS = env.integer("CLOCK_SECONDS", 5, minimum=1)

# --- accounts: moderators (staff) sign in with their password and then an e-mailed link
# (off: the password alone; accounts/actions.py). Failed passwords per account (typed
# address) in a window of this many minutes, on top of 10 per client address per 5 minutes.
STAFF_TWO_FACTOR = env.boolean("STAFF_TWO_FACTOR", True)
STAFF_LOGIN_ACCOUNT_ATTEMPTS = env.integer("STAFF_LOGIN_ACCOUNT_ATTEMPTS", 10, minimum=1)
STAFF_LOGIN_ACCOUNT_MINUTES = env.integer("STAFF_LOGIN_ACCOUNT_MINUTES", 15, minimum=1)

# --- dashboard: co-organizers' invitation links work this many days.
ORGANIZER_INVITE_DAYS = env.integer("ORGANIZER_INVITE_DAYS", 14, minimum=1)
# The dashboard's figures (GROUP BYs over all signatures) are kept this many seconds.
DASHBOARD_CACHE_SECONDS = env.integer("DASHBOARD_CACHE_SECONDS", 60, minimum=0)

# --- updates: e-mails to signers who opted in. At most this many e-mailed news updates
# per petition per 7 days (victories and decision makers' responses are always e-mailed
# and not counted); moderators approve each e-mail first when UPDATE_EMAILS_NEED_APPROVAL
# is on; the worker sends them this many at a time, over one SMTP connection per batch.
UPDATE_EMAILS_PER_WEEK = env.integer("UPDATE_EMAILS_PER_WEEK", 3, minimum=0)
UPDATE_EMAILS_NEED_APPROVAL = env.boolean("UPDATE_EMAILS_NEED_APPROVAL", False)
SIGNER_MAIL_BATCH = env.integer("SIGNER_MAIL_BATCH", 200, minimum=1)

# --- responses: decision makers are e-mailed when a petition passes each threshold
# ("count:kind", comma-separated; kinds: response, escalation); their answer links work
# this many days.
TARGET_THRESHOLDS = env.thresholds("TARGET_THRESHOLDS", "10000:response,100000:escalation")
RESPONSE_LINK_DAYS = env.integer("RESPONSE_LINK_DAYS", 90, minimum=1)
# --- representatives: a region's representatives are asked for their position when this
# many of a petition's signers live there, unless the petition or its region scheme sets
# its own quorum (docs/representatives.md). Their links work RESPONSE_LINK_DAYS days.
REGION_QUORUM = env.integer("REGION_QUORUM", 1000, minimum=1)

# --- delivery: packs of more signers than this are made by the worker, not the request.
DELIVERY_INLINE_MAX = env.integer("DELIVERY_INLINE_MAX", 2000, minimum=0)
# Pack files are in the "deliveries" storage (DELIVERY_DIR, above: never under
# STATIC_ROOT, only organizers' downloads read them); the PDF lists at most this many
# signers (the CSV always lists them all).
DELIVERY_PDF_MAX_SIGNERS = env.integer("DELIVERY_PDF_MAX_SIGNERS", 100_000, minimum=1)
# Pack files are deleted this many days after they were made (organizers can make new ones).
DELIVERY_KEEP_DAYS = env.integer("DELIVERY_KEEP_DAYS", 30, minimum=1)

# --- sharing: the share image (title and count) is redrawn at most this often.
SHARE_IMAGE_SECONDS = env.integer("SHARE_IMAGE_SECONDS", 300, minimum=10)
# A petition's picture (sharing/pictures.py): the largest upload taken, and the most
# pixels decoded (a 40-megapixel photo; a forged header claiming more is refused unread).
PICTURE_MAX_BYTES = env.integer("PICTURE_MAX_BYTES", 10 * 1024 * 1024, minimum=64 * 1024)
PICTURE_MAX_PIXELS = env.integer("PICTURE_MAX_PIXELS", 40_000_000, minimum=1_000_000)

LOGGING_CONFIG = "undersigned.lib.logredact.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No e-mail address, IP address or link secret reaches a log (lib/logredact.py).
    "filters": {"redact": {"()": "undersigned.lib.logredact.RedactFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers are dropped: its records ("Not Found: /confirm/…", runserver
        # access lines) go through the redacting console handler like everyone else's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # Python's warnings, logged here (LOGGING_CONFIG) and so redacted like the rest.
        "py.warnings": {"handlers": [], "propagate": True},
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "undersigned.web.errors.csrf_failure"
