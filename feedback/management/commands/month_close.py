"""Close months, or reopen the latest closed month (R24 月结).

python manage.py month_close --month 2026-03          → close every open month up to 2026-03
python manage.py month_close --reopen --reason "…"    → reopen the latest closed month
python manage.py month_close --list                   → the closed months

Run from the command line, nobody is named as having closed (the audit row says "command");
reopening needs --user, the party-building department's account that asks for it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from feedback import permissions
from feedback.periods import Period, PeriodError
from feedback.selectors.closing import closed_months
from feedback.services.closing import month_reopen, months_close
from liaison.models import User


def _refusal(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class Command(BaseCommand):
    help = "Close the months up to --month, or reopen the latest closed month (--reopen)."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--month", help="close every open month up to this one (YYYY-MM)")
        action.add_argument("--reopen", action="store_true", help="reopen the latest month")
        action.add_argument("--list", action="store_true", help="list the closed months")
        parser.add_argument("--reason", default="", help="why the month is reopened")
        parser.add_argument("--user", default="", help="who closes or reopens (a username)")

    def handle(self, *args, month: str | None, reopen: bool, reason: str, user: str, **options):
        actor = self._user(user) if user else None
        if options["list"]:
            for row in closed_months():
                self.stdout.write(f"{row.month:%Y-%m} {row.closed_at:%Y-%m-%d %H:%M}")
            return
        if reopen:
            if actor is None:
                raise CommandError(_("Name with --user who reopens the month."))
            try:
                row = month_reopen(actor=actor, reason=reason)
            except ValidationError as error:
                raise CommandError(_refusal(error)) from error
            self.stdout.write(_("Reopened %(month)s.") % {"month": f"{row.month:%Y-%m}"})
            return
        first = self._month(month or "")
        try:
            rows = months_close(month=first, actor=actor)
        except ValidationError as error:
            raise CommandError(_refusal(error)) from error
        self.stdout.write(
            _("Closed %(months)s.") % {"months": ", ".join(f"{r.month:%Y-%m}" for r in rows)}
        )

    def _month(self, text: str) -> dt.date:
        try:
            period = Period.parse(text)
        except PeriodError as error:
            raise CommandError(str(error)) from error
        if period.first != period.last:
            raise CommandError(_("--month names one month, like 2026-03."))
        return period.first

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None or not permissions.closes_months(user):
            raise CommandError(
                _("%(user)s is not an account of the party-building department.")
                % {"user": username}
            )
        return user
