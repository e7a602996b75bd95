"""Two beat processes on the real Redis (celery-redbeat's lock, ledger_site.settings): one holds
the lock and sends each due task once, the other waits; when the first stops, the second takes
over. Skipped without Redis (REDIS_URL), the embedded mode keeping Celery's own scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
ACQUIRED = "beat: Acquired lock"


def _beat(tmp_path: Path, name: str, env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{name}.log"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "tests.scaleout.beat_app", "beat"),
            *("--loglevel", "DEBUG", "--schedule", str(tmp_path / f"{name}-schedule")),
        ],
        cwd=tmp_path,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    return process, log


def _wait_for(log: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        if time.monotonic() > deadline:
            shown = log.read_text()
            raise AssertionError(f"{log.name} has no “{text}” after {timeout} s:\n{shown}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_beats_send_each_tick_once_and_the_second_takes_over(tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the embedded mode's beat has no lock")
    run = uuid.uuid4().hex[:12]
    queue = f"ledger-beat-probe-{run}"
    prefix = f"ledger-test-redbeat-{run}:"
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="ledger_site.settings",
        DJANGO_DEBUG="1",
        PYTHONPATH=str(ROOT),
        REDIS_URL=settings.REDIS_URL,
        CELERY_BEAT_KEY_PREFIX=prefix,
        CELERY_BEAT_LOCK_SECONDS="5",
        CELERY_BEAT_MAX_LOOP_SECONDS="1",
        LEDGER_BEAT_PROBE_QUEUE=queue,
    )
    client = redis.Redis.from_url(settings.REDIS_URL)
    first, first_log = _beat(tmp_path, "first", env)
    second = None
    try:
        _wait_for(first_log, ACQUIRED, timeout=90)
        second, second_log = _beat(tmp_path, "second", env)
        _wait_for(second_log, "beat: Acquiring lock", timeout=90)
        # Both run: over a few seconds the tasks sent are one a second, not two.
        sent_before, started = client.llen(queue), time.monotonic()
        time.sleep(6)
        sent = client.llen(queue) - sent_before
        elapsed = time.monotonic() - started
        assert 2 <= sent <= elapsed + 2, (sent, elapsed)
        assert ACQUIRED not in second_log.read_text()
        assert second.poll() is None  # waiting, not gone

        # The first stops (releasing its lock): the second takes over and sends.
        _stop(first)
        assert "beat: Releasing lock" in first_log.read_text()
        _wait_for(second_log, ACQUIRED, timeout=30)
        taken_over = client.llen(queue)
        deadline = time.monotonic() + 15
        while client.llen(queue) <= taken_over and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.llen(queue) > taken_over
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        keys = [
            *client.scan_iter(f"{prefix}*"),
            *client.scan_iter(f"_kombu.binding*.{queue}"),
            queue,
        ]
        client.delete(*keys)
        client.close()
