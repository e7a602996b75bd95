"""The settings module reads the environment: no secret key default in production."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    code = (
        "import ledger_site.settings as s;"
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.LANGUAGE_CODE, s.TIME_ZONE,"
        " s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings({"DJANGO_DEBUG": "0", "REDIS_URL": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_reads_hosts_database_and_broker_from_the_environment():
    result = _settings(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "ledger.example.internal, other.internal",
            "DATABASE_URL": "postgres://u:p@db:5432/ledger",
            "REDIS_URL": "redis://redis:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['ledger.example.internal',",
        "'other.internal']",
        "zh-hans",
        "Asia/Shanghai",
        "django.db.backends.postgresql",
        "redis://redis:6379/0",
    ]


def test_embedded_defaults_need_nothing_installed():
    result = _settings({"DJANGO_DEBUG": "1", "REDIS_URL": ""})
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.sqlite3 filesystem://" in result.stdout


def test_every_beat_job_names_a_registered_task():
    """A typo in the beat schedule would only show as a worker error at night."""
    from django.conf import settings

    from ledger_site.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def _startup_options(env: dict) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    code = (
        "import ledger_site.settings as s;"
        "print(s.DATABASES['default'].get('OPTIONS', {}).get('options'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u@db:5432/ledger", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_queries_start_no_parallel_workers_unless_told_except_behind_pgbouncer():
    assert _startup_options({}) == "-c max_parallel_workers_per_gather=0"
    assert _startup_options({"DATABASE_PARALLEL_WORKERS": "2"}).endswith("gather=2")
    assert _startup_options({"DATABASE_PARALLEL_WORKERS": ""}) == "None"
    assert _startup_options({"DATABASE_POOLER": "pgbouncer"}) == "None"  # it refuses options


def _value(env: dict, expression: str, module: str = "ledger_site.settings") -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", f"import {module} as s; print({expression})"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_key_may_come_from_a_file(tmp_path):
    """`make run` keeps the demo's generated key in var/secret_key (DJANGO_SECRET_KEY_FILE)."""
    key = tmp_path / "secret_key"
    key.write_text("from-a-file-" + "x" * 50 + "\n")
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY_FILE": str(key)}
    assert _value(env, "s.SECRET_KEY") == "from-a-file-" + "x" * 50


def test_plain_http_on_this_machine_drops_only_the_https_settings():
    """DJANGO_HTTPS=0 (`make run`): no redirect, no secure-only cookies, no HSTS; DEBUG off."""
    base = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 50}
    shown = ", ".join(  # Django's defaults where the module sets nothing
        f"getattr(s, '{name}', {default})"
        for name, default in [
            ("DEBUG", True),
            ("SECURE_SSL_REDIRECT", False),
            ("SESSION_COOKIE_SECURE", False),
            ("SECURE_HSTS_SECONDS", 0),
        ]
    )
    assert _value({**base, "DJANGO_HTTPS": "0"}, shown) == "False False False 0"
    assert _value(base, shown) == "False True True 31536000"


def test_the_tests_never_use_the_demos_database_or_broker_folder():
    """`make test` beside a running `make run` in one checkout: nothing of var/ is shared."""
    env = {"REDIS_URL": ""}
    shown = (
        "s.DATABASES['default']['TEST']['NAME'], "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'], s.CELERY_TASK_DEFAULT_QUEUE"
    )
    database, broker, queue = _value(env, shown, "ledger_site.settings_test").split()
    var = str(ROOT / "var")
    assert not database.startswith(var) and not broker.startswith(var)
    assert queue.startswith("ledger-test-")
