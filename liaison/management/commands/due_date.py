"""Print the due date of an entry recorded on a date with a colour (R1), for people and scripts.

python manage.py due_date 2026-09-24 red             → 2026-10-09
python manage.py due_date 2026-09-24 yellow          → 2026-10-30 (the earliest target)
python manage.py due_date 2026-09-24 yellow --target 2026-12-01   → 2026-12-01, or an error
python manage.py due_date 2026-12-28 red --json
    → {"due_on": "2027-01-05", "provisional": true}
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from liaison.constants import YELLOW_MIN_WORKING_DAYS, Colour
from liaison.workdays import FIRST_YEAR, LAST_YEAR, WorkCalendar


def _date(text: str, what: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD.") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CommandError(f"{what} {text} is outside the years {FIRST_YEAR}–{LAST_YEAR}.")
    return day


class Command(BaseCommand):
    help = (
        "Print the ISO due date of an entry recorded on DATE with COLOUR (red, orange); for "
        "yellow, the earliest target date allowed, or check --target. Exit code 1 on bad input."
    )

    def add_arguments(self, parser):
        parser.add_argument("recorded_on", help="the recording date, YYYY-MM-DD")
        parser.add_argument("colour", help="red, orange or yellow")
        parser.add_argument("--target", help="a yellow entry's target date, YYYY-MM-DD, to check")
        parser.add_argument(
            "--json",
            action="store_true",
            help='print {"due_on": ..., "provisional": ...} (for yellow also "earliest_target")',
        )

    def handle(self, *args, recorded_on: str, colour: str, target: str | None, **options):
        recorded = _date(recorded_on, "Recording date")
        colour = colour.strip().lower()
        if colour not in Colour.values:
            raise CommandError(f"Colour {colour!r} is not one of {', '.join(Colour.values)}.")
        target_on = _date(target, "Target date") if target else None
        if target_on and colour != Colour.YELLOW:
            raise CommandError("Only a yellow entry has a target date; red and orange count days.")
        calendar = WorkCalendar.load(recorded.year, target_on.year if target_on else None)
        if colour != Colour.YELLOW:
            due = calendar.due_for(colour, recorded)
            result = {"due_on": due.due_on.isoformat(), "provisional": due.provisional}
            text = result["due_on"]
        else:
            earliest = calendar.earliest_yellow_target(recorded)
            if target_on and target_on < earliest.due_on:
                raise CommandError(
                    f"Target {target_on.isoformat()} is too early: a yellow entry's target lies "
                    f"at least {YELLOW_MIN_WORKING_DAYS} working days out, "
                    f"{earliest.due_on.isoformat()} or later."
                )
            due = calendar.due_for(colour, recorded, target_on) if target_on else None
            result = {
                "due_on": due.due_on.isoformat() if due else None,
                "provisional": (due or earliest).provisional,
                "earliest_target": earliest.due_on.isoformat(),
            }
            text = result["due_on"] or result["earliest_target"]
        if options["json"]:
            text = json.dumps(result)
        elif result["provisional"]:
            # stdout stays a bare date for scripts; people read the warning.
            self.stderr.write(
                "Provisional: the State Council schedule for a year it spans is not entered yet."
            )
        self.stdout.write(text)
