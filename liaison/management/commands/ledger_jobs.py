"""Run one periodic job once, exactly as Celery beat would, and print what it changed.

python manage.py ledger_jobs sweep            → flagged 3, cleared 0, notifications 3
python manage.py ledger_jobs warnings --json  → {"job": "warnings", "notifications": 2, ...}
python manage.py ledger_jobs close_unrated
python manage.py ledger_jobs monthly_review   → last month's review sheets (R9)
Run twice, the second run reports zero.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from liaison import tasks
from liaison.selectors.reviews import previous_month


def _monthly_review() -> dict:
    month = previous_month()
    created = tasks.monthly_review_prepare_task.apply().get()
    return {"month": f"{month:%Y-%m}", "sheets_created": created}


# Each job runs its beat task in this process (task.apply) and returns what it changed.
JOBS = {
    "sweep": lambda: tasks.overdue_sweep_task.apply().get(),
    "warnings": lambda: tasks.due_soon_warnings_task.apply().get(),
    "close_unrated": lambda: tasks.close_unrated_task.apply().get(),
    "monthly_review": _monthly_review,
}


class Command(BaseCommand):
    help = (
        "Run one periodic job (sweep, warnings, close_unrated, monthly_review) once and print "
        "what it changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=sorted(JOBS))
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, job: str, **options):
        result = JOBS[job]()
        if options["json"]:
            self.stdout.write(json.dumps({"job": job, **result}, sort_keys=True))
        else:
            self.stdout.write(", ".join(f"{key} {value}" for key, value in result.items()))
