"""The scale-out settings read from the environment: the beat's scheduler and lock with Redis
(Celery's own scheduler without), and Redis through Sentinel for the broker and the lock."""

from __future__ import annotations

from tests.scaleout.services import run_python

SHOW = """
import django
django.setup()
from ledger_site.celery import app
c = app.conf
print(c.beat_scheduler, c.get("redbeat_redis_url"), c.get("redbeat_lock_timeout"))
print(c.broker_url, c.broker_transport_options.get("master_name"))
print(c.get("redbeat_redis_options"))
"""


def _show(env: dict[str, str]) -> list[str]:
    result = run_python({"DJANGO_SETTINGS_MODULE": "ledger_site.settings", **env}, SHOW)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_embedded_mode_keeps_celerys_own_beat():
    assert _show({})[0] == "celery.beat:PersistentScheduler None None"


def test_with_redis_the_beat_is_redbeats_with_its_lock():
    shown = _show({"REDIS_URL": "redis://redis:6379/0", "CELERY_BEAT_LOCK_SECONDS": "30"})
    assert shown[0] == "redbeat.RedBeatScheduler redis://redis:6379/0 30"
    assert shown[1] == "redis://redis:6379/0 None"


def test_with_sentinels_the_broker_and_the_lock_follow_the_master():
    shown = _show(
        {
            "REDIS_URL": "redis://redis:6379/0",
            "REDIS_SENTINELS": "s1:26379,s2:26379",
            "REDIS_SENTINEL_MASTER": "ledger-master",
        }
    )
    assert shown[0] == "redbeat.RedBeatScheduler redis-sentinel://s1:26379/0 60"
    assert shown[1] == "sentinel://s1:26379/0;sentinel://s2:26379/0 ledger-master"
    assert shown[2] == (
        "{'sentinels': [('s1', 26379), ('s2', 26379)], 'service_name': 'ledger-master',"
        " 'db': 0, 'socket_timeout': 1}"
    )
