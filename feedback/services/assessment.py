"""The annual assessment table (年度考核, 双争双评): every branch and every cadre of the company
for the campaign's year, from four parts combined with the campaign's weights.

The parts (rates from 0 to 1; feedback.selectors.figures defines each):

- entry satisfaction rate (R8): the ratings of the year of the entries in the branch's subtree
  (the roll-up tables), or of the entries the cadre owns (R3: the owner answers for them);
  counted in the score only with at least ranking_min_ratings() ratings, so that one rating does
  not top the table (R8); below that it is shown but left out;
- on-time reply rate (按期办复率, R5): replied on time ÷ the deadlines of the year that have come
  (replied on time, late, or open and overdue), per round as the roll-ups count them;
- reverse-evaluation rate (R12): the ratee's shown results of this campaign pooled
  (feedback.selectors.results: a level with fewer than evaluation_min_ratings() ratings is
  left out, as on the results page);
- monthly reviews signed (R9, branches only): sheets of the year's months signed ÷ sheets of
  the year's months.

Score = 100 × Σ weight × rate ÷ Σ weight, over the parts that have data: a part without data
(a cadre has no monthly review) gives its weight to the others in proportion to theirs. A row
with no part at all has no score and no rank. Ranks: by score, best first, separately for
branches and cadres; equal scores (to two decimals, as stored) share a rank (1, 2, 2, 4), and
the table says "tied".

Fair ranking (R8, as the dashboards rank branches): a row is ranked only when its score rests
on enough ratings — its entry satisfaction rate counts (at least ranking_min_ratings()
ratings) or it has a reverse-evaluation result (shown only with enough ratings). A row whose
score comes from the on-time rate and the reviews alone keeps its score but is listed
unranked, with the reason: otherwise a cadre with one or two ratings and every reply on time
would top the table with 100.

Who is in the table: every active party branch (OrgKind.BRANCH); every cadre — the person of an
active account with a cadre role (leadership, office or grassroots cadre), and every person the
campaign rates at the leadership level (a leadership cadre may have no account). Party members
rated in the campaign have their results on the results page; this table assesses cadres.

Cadres' entry parts come from the entries their account owns, read once for the whole year with
grouped queries (the roll-ups are per ledger, not per person); the few reopened entries are
split into rounds from their timeline exactly as the roll-ups do
(feedback.services.rollup_cells).
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from feedback.constants import CampaignStatus, ranking_min_ratings
from feedback.models import (
    COUNT_FIELDS,
    RATING_FIELDS,
    AssessmentRow,
    EntryMonthlyLevel,
    EvaluationAssignment,
    EvaluationCampaign,
    Rating,
)
from feedback.periods import Period
from feedback.selectors.campaigns import campaign_weights
from feedback.selectors.figures import Counts
from feedback.selectors.results import reverse_rates
from feedback.services.rollup_cells import (
    REPLIED_STATUSES,
    REPLY_REQUIRED,
    ROUND_EVENTS,
    TimelineEvent,
    entry_rounds,
    in_months,
)
from liaison.constants import EntryStatus, Level, OrgKind, Role
from liaison.deadlines import flagged_overdue_q
from liaison.models import Entry, EntryEvent, MonthlyReview, OrgNode, Person

__all__ = [
    "CADRE_ROLES",
    "assessed_cadres",
    "assessment_compute",
    "assessment_score",
    "rank_rows",
    "rankable",
]

CADRE_ROLES = (Role.LEADERSHIP_CADRE, Role.OFFICE_CADRE, Role.GRASSROOTS_CADRE)
PARTS = ("satisfaction", "on_time", "reverse", "review")


def assessment_score(*, rates: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """Return 100 × the weighted mean of the rates that are not None (two decimals); None when
    no part with a weight has data."""
    known = {part: rate for part, rate in rates.items() if rate is not None}
    used = {part: weight for part, weight in weights.items() if part in known}
    total = sum(used.values())
    if not total:
        return None
    return round(100 * sum(known[part] * weight for part, weight in used.items()) / total, 2)


def _best_first(row: AssessmentRow) -> float:
    """The highest score first."""
    if row.score is None:
        raise ValueError("A row without a score has no rank.")
    return -row.score


def rankable(row: AssessmentRow, min_ratings: int) -> bool:
    """Whether the row's score rests on enough ratings to be ranked (see the module's doc)."""
    enough = row.rated >= min_ratings and row.satisfaction_rate is not None
    return row.score is not None and (enough or row.reverse_rate is not None)


def rank_rows(rows: list[AssessmentRow], min_ratings: int | None = None) -> None:
    """Set each rankable row's rank by score, best first; equal scores share a rank; the other
    rows have no rank."""
    minimum = ranking_min_ratings() if min_ratings is None else min_ratings
    scored = sorted((row for row in rows if rankable(row, minimum)), key=_best_first)
    for row in rows:
        row.rank = None
    for position, row in enumerate(scored, start=1):
        before = scored[position - 2] if position > 1 else None
        row.rank = before.rank if before and before.score == row.score else position


def _row(campaign, weights, counts: Counts, reverse, review_rate, **subject) -> AssessmentRow:
    minimum = ranking_min_ratings()
    satisfaction = counts.satisfaction_rate
    rates = {
        "satisfaction": satisfaction if counts.rated >= minimum else None,
        "on_time": counts.on_time_rate,
        "reverse": reverse.rate if reverse else None,
        "review": review_rate,
    }
    return AssessmentRow(
        campaign=campaign,
        satisfaction_rate=satisfaction,
        rated=counts.rated,
        on_time_rate=counts.on_time_rate,
        reverse_rate=rates["reverse"],
        reverse_count=reverse.count if reverse else 0,
        review_rate=review_rate,
        score=assessment_score(rates=rates, weights=weights),
        **subject,
    )


# --- branches ---------------------------------------------------------------------------------


def _branch_counts(period: Period) -> dict[int, Counts]:
    """Each branch's subtree counts over the period, from the roll-ups (one query)."""
    rows = (
        EntryMonthlyLevel.objects.filter(
            node__kind=OrgKind.BRANCH, month__gte=period.first, month__lte=period.last
        )
        .order_by()
        .values("node_id")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
    )
    return {row["node_id"]: Counts.of(row) for row in rows}


def _review_rates(year: int) -> dict[int, float]:
    """Each branch's monthly-review sheets of the year's months: signed ÷ all (one query)."""
    rows = (
        MonthlyReview.objects.filter(org__kind=OrgKind.BRANCH, month__year=year)
        .order_by()
        .values("org_id")
        .annotate(sheets=Count("pk"), signed=Count("pk", filter=Q(signed_at__isnull=False)))
    )
    return {row["org_id"]: row["signed"] / row["sheets"] for row in rows if row["sheets"]}


# --- cadres -----------------------------------------------------------------------------------


def assessed_cadres(*, campaign: EvaluationCampaign) -> QuerySet[Person]:
    """The persons of active accounts with a cadre role, and those the campaign rates at the
    leadership level."""
    leaders = EvaluationAssignment.objects.filter(
        rater__campaign=campaign, level=Level.LEADERSHIP, ratee_person__isnull=False
    ).values("ratee_person_id")
    return Person.objects.filter(
        Q(account__role__in=CADRE_ROLES, account__is_active=True) | Q(pk__in=leaders)
    ).distinct()


def _cadre_counts(cadres: QuerySet[Person], period: Period) -> dict[int, Counts]:
    """Each cadre's counts over the period, from the entries their account owns: ratings by
    the month rated; one deadline per round by its due date (four queries)."""
    first, last = period.first, period.end
    entries = Entry.objects.exclude(status=EntryStatus.VOID).filter(
        owner__person__in=cadres.values("pk")
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ratings = (
        Rating.objects.filter(entry__in=entries.values("pk"))
        .filter(in_months("rated_at", period.months, moment=True))
        .order_by()
        .values("value", person=F("entry__owner__person_id"))
        .annotate(n=Count("pk"))
    )
    for rating in ratings:
        counts[rating["person"]]["rated"] += rating["n"]
        counts[rating["person"]][RATING_FIELDS[rating["value"]]] += rating["n"]

    replied = Q(status__in=REPLIED_STATUSES)
    single = (
        entries.filter(reopen_count=0, kind__in=REPLY_REQUIRED, due_on__gte=first)
        .filter(due_on__lte=last)
        .order_by()
        .values(person=F("owner__person_id"))
        .annotate(  # n_: an annotation may not take a field's name (replied_on_time)
            n_replied_on_time=Count("pk", filter=replied & Q(replied_on_time=True)),
            n_replied_late=Count("pk", filter=replied & Q(replied_on_time=False)),
            n_open_overdue=Count("pk", filter=flagged_overdue_q()),
        )
    )
    for row in single:
        mine = counts[row["person"]]
        mine["replied_on_time"] += row["n_replied_on_time"]
        mine["replied_late"] += row["n_replied_late"]
        mine["open_overdue"] += row["n_open_overdue"]

    reopened = entries.filter(reopen_count__gt=0, kind__in=REPLY_REQUIRED, recorded_on__lte=last)
    fields = ("pk", "status", "due_on", "replied_at", "replied_on_time", "resolved_at")
    rows = {
        row["pk"]: row
        for row in reopened.values(*fields, "is_overdue", person=F("owner__person_id"))
    }
    timelines: dict[int, list[TimelineEvent]] = defaultdict(list)
    if rows:
        events = (
            EntryEvent.objects.filter(entry__in=reopened.values("pk"), kind__in=ROUND_EVENTS)
            .order_by("entry_id", "at", "pk")
            .values_list("entry_id", "kind", "at", "after")
        )
        for entry_id, kind, at, after in events:
            timelines[entry_id].append((kind, at, after))
    for pk, row in rows.items():
        for one in entry_rounds(row, timelines.get(pk, [])):
            if one.due_on is None or not first <= one.due_on <= last:
                continue
            replied_round = one.replied_at is not None
            mine = counts[row["person"]]
            mine["replied_on_time"] += int(replied_round and one.on_time is True)
            mine["replied_late"] += int(replied_round and one.on_time is False)
            mine["open_overdue"] += int(one.awaiting and one.overdue)
    return {person: Counts.of(values) for person, values in counts.items()}


# --- the table --------------------------------------------------------------------------------


@transaction.atomic
def assessment_compute(*, campaign: EvaluationCampaign) -> list[AssessmentRow]:
    """Compute the campaign's assessment table and replace its rows (a closed campaign only;
    call it after the campaign's status is saved as closed, in the same transaction or
    after). Set-based: a fixed number of queries whatever the number of branches and cadres.

    Raises ValidationError for a campaign that is not closed (its reverse evaluation is not
    over, and its rates are not shown yet)."""
    campaign = EvaluationCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.CLOSED:
        raise ValidationError(_("The assessment is computed once the evaluation is closed."))
    period = Period.year(campaign.year)
    weights = campaign_weights(campaign)
    reverse = reverse_rates(campaign=campaign)

    branch_counts = _branch_counts(period)
    reviews = _review_rates(campaign.year)
    rows = [
        _row(
            campaign,
            weights,
            branch_counts.get(branch.pk, Counts()),
            reverse.get(("branch", branch.pk)),
            reviews.get(branch.pk),
            org=branch,
        )
        for branch in OrgNode.objects.filter(kind=OrgKind.BRANCH, is_active=True)
    ]
    rank_rows(rows)

    cadres = assessed_cadres(campaign=campaign)
    cadre_counts = _cadre_counts(cadres, period)
    cadre_rows = [
        _row(
            campaign,
            weights,
            cadre_counts.get(person.pk, Counts()),
            reverse.get(("person", person.pk)),
            None,  # no monthly review: its weight goes to the other parts
            person=person,
        )
        for person in cadres.order_by("pk")
    ]
    rank_rows(cadre_rows)

    AssessmentRow.objects.filter(campaign=campaign).delete()
    return AssessmentRow.objects.bulk_create(rows + cadre_rows)
