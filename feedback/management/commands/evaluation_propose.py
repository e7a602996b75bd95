"""Print who would rate whom in a year's reverse evaluation (R12), without saving anything.

python manage.py evaluation_propose --year 2026 [--json] [--limit N]

JSON keys: year, raters (distinct raters), pairs_total, counts {rule → pairs}, pairs (each:
rule, level, rater {kind, id, code, name}, ratee {kind, id, code, name}; kind is person, unit
or org). The readable summary prints the counts and the first --limit pairs (default 20).
Saving the proposal into a draft campaign is the campaign page's (campaign_propose).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from feedback.constants import EvaluationRule
from feedback.selectors.proposal import evaluation_proposal
from feedback.services.campaigns import FIRST_YEAR

LAST_YEAR = 9999


class Command(BaseCommand):
    help = "Print the proposed raters and ratees of a year's reverse evaluation (saves nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        parser.add_argument(
            "--limit", type=int, default=20, help="pairs listed in the summary (default 20)"
        )

    def handle(self, *args, year: int, as_json: bool, limit: int, **options):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(
                _("--year must lie from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        if limit < 0:
            raise CommandError(_("--limit cannot be negative."))
        proposal = evaluation_proposal(year=year)
        if as_json:
            self.stdout.write(json.dumps(proposal.as_dict(), ensure_ascii=False, indent=2))
            return
        labels = dict(EvaluationRule.choices)
        self.stdout.write(
            _("Reverse evaluation %(year)s: %(raters)s raters, %(pairs)s pairs")
            % {"year": year, "raters": proposal.rater_count(), "pairs": len(proposal.pairs)}
        )
        for rule, count in proposal.counts().items():
            self.stdout.write(f"  {labels[rule]}: {count}")
        for pair in proposal.pairs[:limit]:
            self.stdout.write(
                f"  {pair.rater.code} {pair.rater.name} → {pair.ratee.code} {pair.ratee.name}"
                f"  ({labels[pair.rule]})"
            )
        if len(proposal.pairs) > limit:
            self.stdout.write(
                _("  … and %(more)s more (--json lists them all)")
                % {"more": len(proposal.pairs) - limit}
            )
