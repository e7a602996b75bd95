"""Settings for Liaison Ledger, read from the environment (one file for every deployment).

Embedded defaults (SQLite, Celery's file-system broker, an in-process cache) let a new user run
the app with nothing installed; DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEDGER_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def private_files(location: str) -> dict:
    """A folder of files only the app reads (attachments, exports): no public URL, readable by
    the app's user and group alone."""
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": location,
            "base_url": None,
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and os.environ.get("DJANGO_SECRET_KEY_FILE"):
    # The key kept in a file readable by the app alone (`make run` generates var/secret_key).
    SECRET_KEY = Path(os.environ["DJANGO_SECRET_KEY_FILE"]).read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (required when DJANGO_DEBUG is off).")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pgtrigger",
    "liaison",
    "feedback",
]
# seed_demo and its generator; a production site may leave the demo app out (DJANGO_DEMO_APP=0).
if env_bool("DJANGO_DEMO_APP", True):
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "liaison.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files are precompressed and never reach it), above everything
    # that writes a page: pages compressed with Django's BREACH padding, downloads untouched.
    "common.http.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "liaison.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The dashboard and the exports read from the replica, unless their user has just written.
    "ledger_site.db_routers.ReplicaReadsMiddleware",
    # The administrators' second factor before the password policy: who they are first, then
    # whether their password must change (the second factor's page is open to the policy).
    "django_otp.middleware.OTPMiddleware",
    "liaison.middleware_security.SecondFactorMiddleware",
    "liaison.middleware.IdleSessionMiddleware",
    "liaison.middleware.PrivatePagesMiddleware",
    "liaison.middleware.PasswordPolicyMiddleware",
    "liaison.middleware.ResolvedUserMiddleware",
    "liaison.middleware.SuperuserAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "common.http.NulByteMiddleware",
    # Last: turns a login refused for a lock into the login page with the lock's message.
    "axes.middleware.AxesMiddleware",
]

# Django's form templates; the small ones every form draws many times, drawn in Python
# (common.forms).
FORM_RENDERER = "common.forms.LeanRenderer"

ROOT_URLCONF = "ledger_site.urls"
WSGI_APPLICATION = "ledger_site.wsgi.application"

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
                "liaison.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the web process share the file: wait for a lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PgBouncer in transaction pooling in front of PostgreSQL (README "Production"): a transaction
# may run on another server connection than the one before it, so no server-side cursor may
# outlive one (iterator() fetches in chunks inside its own query instead); the app keeps no
# other session state (no SET, advisory lock, LISTEN or prepared statement of its own).
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
if DATABASE_POOLER not in {"", "pgbouncer"}:
    raise ImproperlyConfigured("DATABASE_POOLER is either empty or pgbouncer.")
# A streaming replica (README "Production"): the dashboard, the exports and the report read
# from it (ledger_site.db_routers); writes, migrations and every other read use the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # A replica that does not answer is given up on quickly (its reads go to the primary).
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 3)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
if DATABASE_POOLER == "pgbouncer":
    for _alias in DATABASES:
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Parallel workers a query of this process may start (PostgreSQL's max_parallel_workers_per_
# gather). A page's queries read a few thousand index rows at most, and starting workers costs
# them more than it saves (the supervision board's count at a million entries: 10.5 ms with two
# workers, 4 ms without), so it is 0 unless set: a worker node may allow some for the nightly
# rebuild, and empty keeps the server's setting. Sent when connecting, which PgBouncer does not
# pass on: behind it, set it on the database role (README "Production").
DATABASE_PARALLEL_WORKERS = os.environ.get("DATABASE_PARALLEL_WORKERS", "0").strip()
if DATABASE_PARALLEL_WORKERS and DATABASE_POOLER != "pgbouncer":
    for _alias in DATABASES:
        if DATABASES[_alias]["ENGINE"] == "django.db.backends.postgresql":
            DATABASES[_alias].setdefault("OPTIONS", {})["options"] = (
                f"-c max_parallel_workers_per_gather={int(DATABASE_PARALLEL_WORKERS)}"
            )
DATABASE_ROUTERS = ["ledger_site.db_routers.PrimaryReplicaRouter"]
DATABASE_REPLICA_READS = bool(DATABASE_REPLICA_URL) and env_bool("DATABASE_REPLICA_READS", True)
# For this many seconds after a user's last write, their pages read from the primary (keep it
# above the replica's lag); a replica that failed is tried again after REPLICA_RETRY_SECONDS.
REPLICA_MAX_LAG = env_int("REPLICA_MAX_LAG", 10)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 30)
# The pages (URL names) and the Celery tasks whose reads go to the replica.
DATABASE_REPLICA_VIEWS = [
    "feedback:dashboard",
    "feedback:dashboard_export",
    "liaison:ledger_branch_export",
    "liaison:ledger_mine_export",
    "liaison:ledger_department_export",
    "liaison:ledger_all_export",
]
DATABASE_REPLICA_TASKS: list[str] = env_list("DATABASE_REPLICA_TASKS")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "liaison.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The lockout backend first: it refuses a locked account or address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login failures and account locks (django-axes, its database handler): after
# LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES of each other, for one user name
# (from any address) or from one address (for any user name), logins are refused for
# LOGIN_LOCKOUT_MINUTES after the last failure, or until a security administrator unlocks them
# (/security/locks/). Attempts during a lock neither count nor extend it.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
AXES_ENABLED = env_bool("LOGIN_LOCKOUT_ENABLED", True)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "liaison.views.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # the locks page is the security administrator's, not the admin's
AXES_VERBOSE = False
# The client's address (liaison.security.client_address): REMOTE_ADDR, unless the app sits
# behind LOGIN_PROXY_COUNT reverse proxies that each append to X-Forwarded-For: then the address
# the outermost of them saw. Set it only when every request passes those proxies (else a client
# could name any address and dodge the per-address lock).
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "liaison.security.client_address"

# A second factor (TOTP, django-otp) for the three administrator roles when ADMIN_2FA=1.
ADMIN_2FA = env_bool("ADMIN_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("ADMIN_2FA_ISSUER", "Liaison Ledger")
# Wrong codes count as login failures (the lock above): no second, growing delay of the device.
OTP_TOTP_THROTTLE_FACTOR = 0

# Directory sign-on (LDAP, README "Directory sign-on"): on when LDAP_URL is set. Local accounts
# (Django's ModelBackend) are tried first, then the directory (django-python3-ldap, ldap3).
LDAP_URL = os.environ.get("LDAP_URL", "")
if LDAP_URL:
    AUTHENTICATION_BACKENDS.append("liaison.auth.DirectoryBackend")
LDAP_AUTH_URL = env_list("LDAP_URL")  # several, comma-separated: the next when one is down
LDAP_AUTH_USE_TLS = env_bool("LDAP_USE_TLS")  # StartTLS on ldap://; ldaps:// is TLS anyway
LDAP_AUTH_TLS_ARGS: dict = {}
if os.environ.get("LDAP_TLS_CA_FILE"):
    import ssl

    LDAP_AUTH_TLS_ARGS = {
        "ca_certs_file": os.environ["LDAP_TLS_CA_FILE"],
        "validate": ssl.CERT_REQUIRED,
    }
LDAP_AUTH_SEARCH_BASE = os.environ.get("LDAP_USER_BASE", "")
LDAP_AUTH_OBJECT_CLASS = os.environ.get("LDAP_USER_OBJECT_CLASS", "inetOrgPerson")
LDAP_AUTH_USER_FIELDS = {
    "username": os.environ.get("LDAP_USERNAME_ATTRIBUTE", "uid"),
    "first_name": os.environ.get("LDAP_NAME_ATTRIBUTE", "cn"),  # or displayName
    "email": os.environ.get("LDAP_EMAIL_ATTRIBUTE", "mail"),
}
LDAP_AUTH_USER_LOOKUP_FIELDS = ("username",)
# The search account: finds a person's entry (they may sit in nested org units), their groups,
# and, for the sync job, everyone.
LDAP_BIND_DN = os.environ.get("LDAP_BIND_DN", "")
LDAP_BIND_PASSWORD = os.environ.get("LDAP_BIND_PASSWORD", "")
LDAP_AUTH_CONNECTION_USERNAME = LDAP_BIND_DN or None
LDAP_AUTH_CONNECTION_PASSWORD = LDAP_BIND_PASSWORD or None
LDAP_AUTH_FORMAT_USERNAME = "liaison.directory.user_dn"
LDAP_AUTH_SYNC_USER_RELATIONS = "liaison.services.directory.directory_user_relations"
LDAP_AUTH_CONNECT_TIMEOUT = env_int("LDAP_TIMEOUT_SECONDS", 5)
LDAP_AUTH_RECEIVE_TIMEOUT = env_int("LDAP_TIMEOUT_SECONDS", 5)
LDAP_AUTH_POOL_ACTIVE = 1  # try each server once, then give up (True would retry forever)
# Groups give roles: {"group DN or cn": "role", ...} as JSON, the first group held decides.
# Groups are groupOfNames / groupOfUniqueNames under LDAP_GROUP_BASE, or the memberOf attribute.
LDAP_GROUP_BASE = os.environ.get("LDAP_GROUP_BASE", "")
try:
    LDAP_GROUP_ROLES: dict[str, str] = json.loads(os.environ.get("LDAP_GROUP_ROLES", "") or "{}")
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"LDAP_GROUP_ROLES is not JSON: {error}") from error
# Org units give scopes: this attribute, else the DN's ou= parts (nearest first), holds the code
# of the user's org node (or, for department handlers, of their department).
LDAP_SCOPE_ATTRIBUTE = os.environ.get("LDAP_SCOPE_ATTRIBUTE", "departmentNumber")
# How often the sync job deactivates the accounts the directory no longer gives access.
LDAP_SYNC_MINUTES = env_int("LDAP_SYNC_MINUTES", 60)

# Passwords (GB/T 22239-2019 level 3, §8.1.4.1): at least 8 characters of three of the four
# classes, none of the last 5 again, changed every PASSWORD_MAX_AGE_DAYS days (0: never
# expires) and at the first login of an account an administrator created (liaison/passwords.py).
PASSWORD_MIN_LENGTH = 8
PASSWORD_HISTORY_DEPTH = 5
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "liaison.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {
        "NAME": "liaison.passwords.PasswordHistoryValidator",
        "OPTIONS": {"depth": PASSWORD_HISTORY_DEPTH},
    },
]

# Sessions: the database's row lapses SESSION_IDLE_MINUTES after the last activity (refreshed at
# most once a minute, common/sessions.py, so that a page's reads write nothing), and the cookie
# ends with the browser.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ENGINE = "common.sessions"
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Language: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files: our own under static/, third-party assets installed by `make assets` into
# build/vendor (from the npm registry, pinned and checked), all served by the app itself.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "build" / "vendor")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"  # nothing is served from it: there is no MEDIA_URL route

# Attachments (R23): photos and files on visits and entries, stored through the storage alias
# "attachments" and served only by the permission-checked view (liaison.views.attachments),
# never from a public URL. On the file system under var/attachments by default; on any
# S3-compatible store (MinIO, Ceph, OSS, COS, AWS) when ATTACHMENTS_S3_BUCKET is set.
ATTACHMENTS_S3_BUCKET = os.environ.get("ATTACHMENTS_S3_BUCKET", "")
if ATTACHMENTS_S3_BUCKET:
    _s3_endpoint = os.environ.get("ATTACHMENTS_S3_ENDPOINT_URL", "")
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            "endpoint_url": _s3_endpoint or None,
            "region_name": os.environ.get("ATTACHMENTS_S3_REGION", "") or None,
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a role).
            "access_key": os.environ.get("ATTACHMENTS_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": os.environ.get("ATTACHMENTS_S3_SECRET_ACCESS_KEY", "") or None,
            "location": os.environ.get("ATTACHMENTS_S3_PREFIX", "attachments"),
            # MinIO and most self-hosted stores want path-style addresses.
            "addressing_style": os.environ.get(
                "ATTACHMENTS_S3_ADDRESSING_STYLE", "path" if _s3_endpoint else "auto"
            ),
            "signature_version": "s3v4",
            "default_acl": "private",
            "file_overwrite": False,
            "verify": env_bool("ATTACHMENTS_S3_VERIFY_TLS", True),
        },
    }
else:
    STORAGES["attachments"] = private_files(
        os.environ.get("ATTACHMENTS_DIR", str(VAR_DIR / "attachments"))
    )
# Background exports (issue 16): a list export over this many rows runs on a worker, into the
# storage alias "exports" (var/exports by default), downloadable by its requester for a day.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 5000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
# The worker writes the file and a web node serves it: on several nodes, they share the
# attachments' bucket (under EXPORTS_S3_PREFIX) or one mounted folder (EXPORTS_DIR).
if ATTACHMENTS_S3_BUCKET:
    STORAGES["exports"] = {
        "BACKEND": STORAGES["attachments"]["BACKEND"],
        "OPTIONS": {
            **STORAGES["attachments"]["OPTIONS"],
            "location": os.environ.get("EXPORTS_S3_PREFIX", "exports"),
        },
    }
else:
    STORAGES["exports"] = private_files(os.environ.get("EXPORTS_DIR", str(VAR_DIR / "exports")))
# A file may be this large; an entry or a visit may carry this many (withdrawn ones count:
# nothing is deleted); a photo may have this many pixels (a larger one is refused as a
# decompression bomb); an Office document may unpack to this much (a zip bomb beyond).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_PER_OBJECT = env_int("ATTACHMENT_MAX_PER_OBJECT", 20)
ATTACHMENT_MAX_IMAGE_PIXELS = env_int("ATTACHMENT_MAX_IMAGE_PIXELS", 40_000_000)
ATTACHMENT_MAX_UNPACKED_BYTES = env_int("ATTACHMENT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)

# Redis, when given, carries Celery's messages and the cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ledger",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if REDIS_URL:
    # A task not acknowledged within this time is handed to another worker. It must be longer
    # than the longest task (a large import); see README "Production".
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
else:
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# The beat: with Redis (production), celery-redbeat keeps the schedule in Redis and holds a lock
# there, so that two beat processes (on two nodes, for availability) never both send: the second
# waits for the lock and takes over within CELERY_BEAT_LOCK_SECONDS when the first stops. The
# embedded mode keeps Celery's own file scheduler (Procfile.dev's --schedule file).
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_REDIS_OPTIONS: dict = {}
    CELERY_REDBEAT_KEY_PREFIX = os.environ.get("CELERY_BEAT_KEY_PREFIX", "ledger:redbeat:")
    CELERY_REDBEAT_LOCK_TIMEOUT = env_int("CELERY_BEAT_LOCK_SECONDS", 60)
    CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("CELERY_BEAT_MAX_LOOP_SECONDS", 10)
# Redis with Sentinel (README "Production"): REDIS_SENTINELS lists the sentinels (host:port,
# comma-separated) and REDIS_SENTINEL_MASTER names the master; Celery's broker and the beat's
# lock then follow the master through a failover.
REDIS_SENTINELS = env_list("REDIS_SENTINELS")
if REDIS_SENTINELS:
    if not REDIS_URL:
        raise ImproperlyConfigured("REDIS_SENTINELS needs REDIS_URL (the cache's address).")
    _master = os.environ.get("REDIS_SENTINEL_MASTER", "ledger")
    _redis_db = os.environ.get("REDIS_SENTINEL_DB", "0")
    CELERY_BROKER_URL = ";".join(f"sentinel://{node}/{_redis_db}" for node in REDIS_SENTINELS)
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = _master
    CELERY_REDBEAT_REDIS_URL = f"redis-sentinel://{REDIS_SENTINELS[0]}/{_redis_db}"
    CELERY_REDBEAT_REDIS_OPTIONS = {
        "sentinels": [
            (host, int(port)) for host, port in (node.rsplit(":", 1) for node in REDIS_SENTINELS)
        ],
        "service_name": _master,
        "db": int(_redis_db),
        "socket_timeout": 1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    "import-requeue": {"task": "liaison.import_requeue", "schedule": timedelta(minutes=5)},
    # Background exports: files past their day are deleted, hourly.
    "exports-purge": {"task": "liaison.exports_purge", "schedule": timedelta(hours=1)},
    # R9: last month's review sheets, on the 1st at 02:00 (CELERY_TIMEZONE, Asia/Shanghai).
    "monthly-review-prepare": {
        "task": "liaison.monthly_review_prepare",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    # R6: overdue flags every 15 minutes, and just after midnight when the day turns.
    "overdue-sweep": {"task": "liaison.overdue_sweep", "schedule": timedelta(minutes=15)},
    "overdue-sweep-midnight": {
        "task": "liaison.overdue_sweep",
        "schedule": crontab(minute=5, hour=0),
    },
    # R6: due-soon warnings each working-day morning at 08:00. Beat fires daily because
    # make-up working days (调休) fall on weekends; the job skips days off by the WorkCalendar.
    "due-soon-warnings": {
        "task": "liaison.due_soon_warnings",
        "schedule": crontab(minute=0, hour=8),
    },
    # R4: replies nobody rated in time close as not rated, daily at 01:00.
    "close-unrated": {"task": "liaison.close_unrated", "schedule": crontab(minute=0, hour=1)},
    # R7: the roll-ups the dashboards read: brought up to date from the events every two
    # minutes, rebuilt from the entries every night.
    "rollups-refresh": {"task": "feedback.rollups_refresh", "schedule": timedelta(minutes=2)},
    "rollups-rebuild": {"task": "feedback.rollups_rebuild", "schedule": crontab(minute=30, hour=3)},
    # R24: last month closes by itself on its MONTH_CLOSE_WORKING_DAY'th working day after it
    # ended; daily at 04:30, after the rebuild (the job skips the other days).
    "months-close-due": {
        "task": "feedback.months_close_due",
        "schedule": crontab(minute=30, hour=4),
    },
    # R12: the reverse evaluation closes the day after its closing date (computing the year's
    # assessment table); raters who have not answered are reminded by email each week.
    "evaluation-close-due": {
        "task": "feedback.evaluation_close_due",
        "schedule": crontab(minute=10, hour=0),
    },
    "evaluation-reminders": {
        "task": "feedback.evaluation_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
    # The daily digest, for those who chose it instead of one email per notification.
    "notification-digests": {
        "task": "liaison.notification_digests",
        "schedule": crontab(minute=30, hour=7),
    },
    # Catch-up for notification emails whose after-commit enqueue was lost.
    "notifications-email": {
        "task": "liaison.notifications_email",
        "schedule": timedelta(minutes=10),
    },
}
# R24: the working day after a month ends on which the beat closes it (0: only by hand).
MONTH_CLOSE_WORKING_DAY = env_int("MONTH_CLOSE_WORKING_DAY", 5)
if LDAP_URL:
    CELERY_BEAT_SCHEDULE["directory-sync"] = {
        "task": "liaison.directory_sync",
        "schedule": timedelta(minutes=LDAP_SYNC_MINUTES),
    }
# R6: an entry this many working days overdue is also reported to its branch secretary and to
# the party-building department.
OVERDUE_ESCALATE_WORKING_DAYS = env_int("OVERDUE_ESCALATE_WORKING_DAYS", 3)
# R17: a referral is signed for (签收) or returned (退单) within this many working days after
# the day it was referred; past that the department and the party-building department are told.
REFERRAL_SIGN_WORKING_DAYS = env_int("REFERRAL_SIGN_WORKING_DAYS", 1)
# R19: how many extensions (延期) an entry may have per round.
EXTENSION_MAX = env_int("EXTENSION_MAX", 1)
# The audit log is append-only and kept at least this many days (等保2.0, README "Administrators
# and the audit log"): the app never deletes a row; a purge of older rows is a DBA's act.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)

# R8: whether 基本满意 counts as satisfied; the fewest ratings with which a unit is ranked; how
# many days a signed rating link stays valid.
SATISFACTION_COUNTS_BASIC = env_bool("SATISFACTION_COUNTS_BASIC", True)
RANKING_MIN_RATINGS = env_int("RANKING_MIN_RATINGS", 5)
# Decimals of a printed percentage on the dashboards, in the exports and the report (1: 81.3%;
# 0: whole percents, 81%), rounded half up (feedback.percentages).
PERCENT_DECIMALS = env_int("PERCENT_DECIMALS", 1)
RATING_LINK_VALID_DAYS = env_int("RATING_LINK_VALID_DAYS", 30)
# R12: a reverse-evaluation result is shown only with at least this many ratings.
EVALUATION_MIN_RATINGS = env_int("EVALUATION_MIN_RATINGS", 5)
# Hot topics (热点诉求): the most titles of one month clustered (the newest), and how alike two
# titles must be (0 to 1, character bigrams) to fall into one cluster.
HOT_TOPIC_MAX_ENTRIES = env_int("HOT_TOPIC_MAX_ENTRIES", 2000)
HOT_TOPIC_SIMILARITY = float(os.environ.get("HOT_TOPIC_SIMILARITY", "0.4"))
# The address informants' phones reach the app at, if not the one staff use (printed in the QR
# codes and SMS texts), e.g. https://ledger.example.cn; empty: the address of the staff's page.
RATING_LINK_BASE_URL = os.environ.get("RATING_LINK_BASE_URL", "")
# The address staff reach the app at, for the links in notification emails.
LEDGER_SITE_URL = os.environ.get("LEDGER_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Excel import: files up to this size; workbooks with more rows than this run on a worker.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
IMPORT_INLINE_MAX_ROWS = env_int("IMPORT_INLINE_MAX_ROWS", 300)
# A workbook holds at most this many filled rows (all sheets together), counted as it streams;
# and it may unpack to at most this many bytes (and to at most 30 times its size).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
# An import running this long has lost its worker and is run again (keep it above the longest
# import; a large one takes well under a minute).
IMPORT_STALE_AFTER_SECONDS = env_int("IMPORT_STALE_AFTER_SECONDS", 1800)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = max(IMPORT_MAX_UPLOAD_BYTES, ATTACHMENT_MAX_BYTES)

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ledger@localhost")

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# Security. Production sits behind HTTPS; set DJANGO_SECURE_SSL_REDIRECT=0 only when a proxy
# already redirects, and DJANGO_SECURE_PROXY_SSL_HEADER=1 when that proxy sets X-Forwarded-Proto.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The language switch's cookie goes the way of the session's (read by the server only).
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# DJANGO_HTTPS=0: served over plain HTTP on the machine itself (`make run`: production's
# settings otherwise), so no redirect to HTTPS, no secure-only cookies and no HSTS.
SERVED_OVER_HTTPS = env_bool("DJANGO_HTTPS", True)
if not DEBUG and SERVED_OVER_HTTPS:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
    if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (django-csp): scripts, styles, images, fonts and connections from this
# site only; no inline script, event handler or style element anywhere (tests/test_templates.py).
# style-src-attr 'unsafe-inline' is the one exception: ECharts' SVG renderer and Bootstrap's
# tooltips write style attributes (README "Headers").
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
# Permissions-Policy (liaison.middleware): no page uses a device or sensor. A file input with
# `capture` (the visit form's photo) opens the phone's camera app, which needs no permission.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Intranet host names cannot be on the browsers' HSTS preload list, so its check is moot.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (4xx) logs one line (status, method, path, message), no traceback.
    "filters": {"client_errors": {"()": "common.logging.ClientErrorOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes: one line per failure and per lock (the audit trail holds them too).
    "loggers": {"axes": {"level": os.environ.get("LOGIN_LOG_LEVEL", "WARNING")}},
}
