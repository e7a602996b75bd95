"""Run one periodic job once, exactly as Celery beat would, and print what it changed.

python manage.py ledger_jobs sweep            → flagged 3, cleared 0, notifications 3
python manage.py ledger_jobs warnings --json  → {"job": "warnings", "notifications": 2, ...}
python manage.py ledger_jobs close_unrated
Run twice, the second run reports zero.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from liaison import tasks

JOBS = {
    "sweep": tasks.overdue_sweep_task,
    "warnings": tasks.due_soon_warnings_task,
    "close_unrated": tasks.close_unrated_task,
}


class Command(BaseCommand):
    help = "Run one periodic job (sweep, warnings, close_unrated) once and print what it changed."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=sorted(JOBS))
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, job: str, **options):
        result = JOBS[job].apply().get()
        if options["json"]:
            self.stdout.write(json.dumps({"job": job, **result}, sort_keys=True))
        else:
            self.stdout.write(", ".join(f"{key} {value}" for key, value in result.items()))
