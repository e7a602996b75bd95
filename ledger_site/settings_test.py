"""Test overrides: fast hashing, tasks run in-process unless a test asks for a real worker."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from ledger_site.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Attachments go to a folder of this process (tests/fixtures/attachments.py gives each test an
# empty one of its own, or a bucket on a real S3-compatible server).
_test_attachments = tempfile.mkdtemp(prefix="ledger-test-attachments-")
atexit.register(shutil.rmtree, _test_attachments, True)
STORAGES["attachments"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": _test_attachments, "base_url": None},
}
_test_exports = tempfile.mkdtemp(prefix="ledger-test-exports-")
atexit.register(shutil.rmtree, _test_exports, True)
STORAGES["exports"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": _test_exports, "base_url": None},
}

# A test that starts a real worker uses a queue (and, on the file-system broker, a folder) of its
# own process: neither a demo served from the same checkout (`make run`, var/celery-broker/) nor
# another test process (pytest-xdist) can take its tasks, nor it theirs.
CELERY_TASK_DEFAULT_QUEUE = f"ledger-test-{os.getpid()}"
# The same for the cache (Redis when REDIS_URL is set): a test process's keys are its own.
CACHES["default"]["KEY_PREFIX"] = f"ledger-test-{os.getpid()}"  # noqa: F405
if not REDIS_URL:  # noqa: F405
    _test_broker = tempfile.mkdtemp(prefix="ledger-test-broker-")
    atexit.register(shutil.rmtree, _test_broker, True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "data_folder_in": f"{_test_broker}/queue",
        "data_folder_out": f"{_test_broker}/queue",
        "processed_folder": f"{_test_broker}/processed",
        "control_folder": f"{_test_broker}/control",
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the shared in-memory database: a real worker's thread then reads what a test
    # committed through its own connection (WAL) instead of failing with "table is locked".
    _test_db_dir = tempfile.mkdtemp(prefix="ledger-test-db-")
    atexit.register(shutil.rmtree, _test_db_dir, True)
    DATABASES["default"]["TEST"] = {"NAME": f"{_test_db_dir}/test.sqlite3"}  # noqa: F405

# The replica alias is a mirror of the test database (a second connection to it): the router's
# tests (tests/scaleout) turn its reads on; elsewhere every read stays on "default". The real
# streaming replica and PgBouncer are reached by tests/scaleout through LEDGER_TEST_REPLICA_URL
# and LEDGER_TEST_PGBOUNCER_URL (.ci/run starts both).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_REPLICA_READS = False
