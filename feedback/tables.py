"""The tables of the campaign pages (django-tables2): the pairs (who rates whom) and the raters
who have not answered; only the listed sortable columns are accepted. Their filters:
feedback.filters."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from feedback.models import EvaluationAssignment, EvaluationRater
from feedback.selectors.campaigns import rater_home, rater_kind_label
from liaison.models import OrgNode

NO_WRAP = {"td": {"class": "text-nowrap"}}
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
WIDE_NO_WRAP = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell text-nowrap"},
}


def _party_html(name: str, code: str, kind: str, home: OrgNode | None = None):
    place = format_html(' <span class="small text-muted">· {}</span>', home.name) if home else ""
    return format_html(
        '{} <span class="small text-muted">{} · {}</span>{}', name, code, kind, place
    )


def _rater_html(rater: EvaluationRater):
    """A rater, with the unit it is counted under unless it is a branch (its own)."""
    party = rater.party
    home = None if rater.org_id else rater_home(rater)
    return _party_html(party.name, party.code, rater_kind_label(rater), home)


class PairTable(tables.Table):
    rater = tables.Column(verbose_name=_("Rater"), accessor="pk", order_by=("rater_id", "pk"))
    ratee = tables.Column(
        verbose_name=_("Who is rated"),
        accessor="pk",
        order_by=("ratee_person__name", "ratee_org__name", "pk"),
    )
    rule = tables.Column(verbose_name=_("Rule"), attrs=WIDE_ONLY)
    level = tables.Column(verbose_name=_("Level"), attrs=WIDE_NO_WRAP)
    remove = tables.TemplateColumn(
        template_name="feedback/evaluations/campaign_pair_remove.html",
        verbose_name="",
        orderable=False,
        accessor="pk",
        attrs=NO_WRAP,
    )

    class Meta:
        model = EvaluationAssignment
        fields = ("rater", "ratee", "rule", "level", "remove")
        order_by = ("rater",)
        empty_text = _("No pairs match these filters.")

    def render_rater(self, record):
        return _rater_html(record.rater)

    def render_ratee(self, record):
        if record.ratee_person_id:
            person = record.ratee_person
            return _party_html(person.name, person.code, _("Person"), person.org)
        return _party_html(record.ratee_org.name, record.ratee_org.code, _("Branch"))


class RaterTable(tables.Table):
    """Raters who have not answered yet."""

    party = tables.Column(verbose_name=_("Rater"), accessor="pk", order_by=("pk",))
    place = tables.Column(
        verbose_name=_("Unit"), accessor="pk", order_by=("home_path", "pk"), attrs=WIDE_ONLY
    )
    ratee_count = tables.Column(verbose_name=_("To rate"), attrs=NO_WRAP)
    reminded_at = tables.DateTimeColumn(
        verbose_name=_("Last reminded"), format="Y-m-d", default="—", attrs=WIDE_ONLY
    )

    class Meta:
        model = EvaluationRater
        fields = ("party", "place", "ratee_count", "reminded_at")
        order_by = ("party",)
        empty_text = _("Everyone here has answered.")

    def render_party(self, record):
        party = record.party
        return _party_html(party.name, party.code, rater_kind_label(record))

    def render_place(self, record):
        return rater_home(record).name
