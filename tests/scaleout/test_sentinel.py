"""Celery's broker and the beat's lock through the real Redis Sentinel (127.0.0.1:26379, master
"ledger" = the Redis of REDIS_URL): with REDIS_SENTINELS set, a task sent and the lock's key
written land in the master the sentinel names."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from django.conf import settings

from tests.scaleout.services import run_python

SEND = """
import os
import django
django.setup()
from ledger_site.celery import app
from redbeat.schedulers import get_redis
app.send_task("ledger.sentinel_probe", queue=os.environ["PROBE"])
get_redis(app).set(os.environ["PROBE"] + ":lock-probe", "1", ex=60)
print(app.conf.broker_url)
"""


def test_the_broker_and_the_beats_lock_reach_the_master_through_the_sentinel():
    sentinels = os.environ.get("LEDGER_TEST_SENTINELS", "")
    if not sentinels or not settings.REDIS_URL:
        reason = "LEDGER_TEST_SENTINELS and REDIS_URL are not set (.ci/scaleout-services)"
        if os.environ.get("LEDGER_REQUIRE_SCALEOUT") == "1":
            pytest.fail(f"LEDGER_REQUIRE_SCALEOUT=1 but {reason}")
        pytest.skip(reason)
    master = redis.Redis.from_url(settings.REDIS_URL)
    database = str(master.connection_pool.connection_kwargs.get("db", 0))
    probe = f"ledger-sentinel-probe-{uuid.uuid4().hex[:12]}"
    try:
        result = run_python(
            {
                "DJANGO_SETTINGS_MODULE": "ledger_site.settings",
                # The cache's address only; the broker and the lock go through the sentinel.
                "REDIS_URL": "redis://127.0.0.1:1/0",
                "REDIS_SENTINELS": sentinels,
                "REDIS_SENTINEL_MASTER": "ledger",
                "REDIS_SENTINEL_DB": database,
                "PROBE": probe,
            },
            SEND,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("sentinel://")
        assert master.llen(probe) == 1
        assert master.get(f"{probe}:lock-probe") == b"1"
    finally:
        master.delete(probe, f"{probe}:lock-probe", *master.scan_iter(f"_kombu.binding*.{probe}"))
        master.close()
