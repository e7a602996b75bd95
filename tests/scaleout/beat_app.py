"""The project's Celery app and settings (the beat's scheduler and lock from ledger_site), with
one entry due every second: `celery -A tests.scaleout.beat_app beat`, run by test_beat_lock."""

import os

from ledger_site.celery import app

app.conf.beat_schedule = {
    "beat-lock-probe": {
        "task": "ledger.beat_lock_probe",
        "schedule": 1.0,
        "options": {"queue": os.environ["LEDGER_BEAT_PROBE_QUEUE"]},
    }
}
