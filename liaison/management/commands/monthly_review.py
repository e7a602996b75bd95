"""Prepare the monthly review sheets (R9) of one month by hand; running it twice creates nothing."""

import datetime as dt
import json as _json

from django.core.management.base import BaseCommand, CommandError

from liaison.models import MonthlyReview
from liaison.selectors.reviews import previous_month
from liaison.services.reviews import monthly_review_prepare


class Command(BaseCommand):
    help = "Prepare every active branch's monthly review sheet for a month (default: last month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, month=None, json=False, **options):
        if month:
            try:
                day = dt.datetime.strptime(month, "%Y-%m").date()
            except ValueError as error:
                raise CommandError(f"--month must look like 2026-10, not {month!r}") from error
        else:
            day = previous_month()
        created = monthly_review_prepare(month=day)
        sheets = MonthlyReview.objects.filter(month=day)
        counts = {
            "month": f"{day:%Y-%m}",
            "created": created,
            "sheets": sheets.count(),
            "unsigned": sheets.filter(signed_at__isnull=True).count(),
        }
        if json:
            self.stdout.write(_json.dumps(counts))
        else:
            self.stdout.write(
                f"{counts['month']}: {created} sheets created, {counts['sheets']} in all, "
                f"{counts['unsigned']} unsigned"
            )
