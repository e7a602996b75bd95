"""Run a roll-up job once, exactly as Celery beat would, and print what it did.

python manage.py rollups refresh   → what changed since the last run
python manage.py rollups rebuild   → every roll-up row recomputed (after seed_demo or a restore)
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from feedback import tasks

JOBS = {"refresh": tasks.rollups_refresh_task, "rebuild": tasks.rollups_rebuild_task}


class Command(BaseCommand):
    help = "Run a roll-up job (refresh, rebuild) once and print what it did."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=sorted(JOBS))
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, job: str, **options):
        result = JOBS[job].apply().get()
        if options["json"]:
            self.stdout.write(json.dumps({"job": job, **result}, sort_keys=True))
        else:
            self.stdout.write(", ".join(f"{key} {value}" for key, value in result.items()))
