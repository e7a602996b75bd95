"""Run periodic jobs once, exactly as Celery beat would, and print what each changed.

python manage.py ledger_jobs sweep            → sweep: flagged 3, cleared 0, notifications 3
python manage.py ledger_jobs warnings --json  → {"job": "warnings", "notifications": 2, ...}
python manage.py ledger_jobs close_unrated
python manage.py ledger_jobs monthly_review   → last month's review sheets (R9)
python manage.py ledger_jobs sweep warnings monthly_review   → each in turn (`make run` does)
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
        "Run periodic jobs (sweep, warnings, close_unrated, monthly_review) once each, in the "
        "order given, and print what each changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="+", metavar="job", choices=sorted(JOBS))
        parser.add_argument("--json", action="store_true", help="print each result as JSON")

    def handle(self, *args, jobs: list[str], **options):
        for job in jobs:
            result = JOBS[job]()
            if options["json"]:
                self.stdout.write(json.dumps({"job": job, **result}, sort_keys=True))
            elif len(jobs) == 1:
                self.stdout.write(", ".join(f"{key} {value}" for key, value in result.items()))
            else:
                details = ", ".join(f"{key} {value}" for key, value in result.items())
                self.stdout.write(f"{job}: {details}")
