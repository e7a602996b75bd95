"""The annual assessment table: a table for two branches and three cadres worked out by hand
with the default weights (satisfaction 40, on time 20, reverse 30, monthly reviews 10), ranks
and ties, the cadres' figures against the roll-ups' for a ledger one cadre alone owns (reopened
rounds included), who reads the page, the compute button, and the Excel export.

Minimums: entries rated 5 (RANKING_MIN_RATINGS), reverse evaluation 5 (EVALUATION_MIN_RATINGS).
"""

from __future__ import annotations

import datetime as dt
import io
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from feedback.constants import CampaignStatus, RatingChannel, Satisfaction
from feedback.models import (
    AssessmentRow,
    EntryMonthlyLevel,
    EvaluationAnswer,
    EvaluationCampaign,
    Rating,
)
from feedback.periods import Period
from feedback.selectors.figures import figures
from feedback.services.assessment import assessment_compute, assessment_score, rank_rows
from feedback.services.rollups import rollups_rebuild
from liaison.constants import BranchType, EntryStatus, Level, OrgKind, Role
from liaison.models import Entry, MonthlyReview, User
from tests.fixtures.evaluations import assign, make_campaign, make_rater
from tests.fixtures.factories import PersonFactory, build_world, make_entry, make_org, make_user
from tests.fixtures.rollups import Clock, build_ledger

VS, S, BS, U = (
    Satisfaction.VERY_SATISFIED,
    Satisfaction.SATISFIED,
    Satisfaction.BASICALLY_SATISFIED,
    Satisfaction.UNSATISFIED,
)
READERS = [Role.PARTY_BUILDING, Role.ADMINISTRATOR, Role.COMMITTEE_STAFF, Role.BRANCH_SECRETARY]
OTHERS = [
    Role.LEADERSHIP_CADRE,
    Role.OFFICE_CADRE,
    Role.GRASSROOTS_CADRE,
    Role.PARTY_MEMBER,
    Role.DEPARTMENT_HANDLER,
]


def moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def rollup(node, month: dt.date, level: str, **counts) -> None:
    EntryMonthlyLevel.objects.create(node=node, month=month, level=level, **counts)


def review(org, month: dt.date, signed: bool, world) -> None:
    MonthlyReview.objects.create(
        org=org,
        month=month,
        prepared_at=moment(month),
        signed_at=moment(month) if signed else None,
        signed_by=world.users[Role.BRANCH_SECRETARY] if signed else None,
    )


def owned_entry(owner, *, due_on, status, on_time=None, overdue=False, rating=None, rated_on=None):
    """An entry owned by `owner` brought to a state by hand (the workflow is tested elsewhere)."""
    entry = make_entry(owner, org=owner.scope_org, recorded_on=due_on - dt.timedelta(days=7))
    replied = status in (EntryStatus.REPLIED, EntryStatus.CLOSED)
    Entry.objects.filter(pk=entry.pk).update(
        status=status,
        due_on=due_on,
        replied_at=moment(due_on) if replied else None,
        replied_on_time=on_time if replied else None,
        is_overdue=overdue,
        void_reason="重复记录" if status == EntryStatus.VOID else "",
    )
    if rating:
        made = Rating.objects.create(entry=entry, value=rating, channel=RatingChannel.LINK)
        Rating.objects.filter(pk=made.pk).update(rated_at=moment(rated_on or due_on))
    return entry


def rate_all(raters, ratee, level, values) -> None:
    for rater, value in zip(raters, values, strict=False):
        EvaluationAnswer.objects.create(assignment=assign(rater, ratee, level), value=value)


@pytest.fixture
def people(world):
    """Cadre A: 姜干部 (the office cadre's person). Cadre B: a person for the leadership cadre's
    account. Cadre C: a leadership cadre rated in the campaign, without an account."""
    leader = world.users[Role.LEADERSHIP_CADRE]
    leader.person = PersonFactory(name="萧领导", org=world.committee_a, position="党委书记")
    leader.save(update_fields=["person"])
    return {
        "A": world.cadre_person,
        "B": leader.person,
        "C": PersonFactory(name="无账号领导", org=world.committee_b, position="副总经理"),
    }


@pytest.fixture
def campaign(world, people):
    r"""The story of 2026, and a closed campaign.

    Branch BA — roll-ups over two months and two levels (plus a month of 2025 and one of 2027,
    left out): rated 10 (非常满意 4, 满意 3, 基本满意 1, 不满意 2: 8 satisfied → 0.8); replied
    on time 6, late 1, open and overdue 1 → 6 ÷ 8 = 0.75; reverse 非常满意, 满意 ×2, 不满意 ×2
    → 3 ÷ 5 = 0.6; reviews: 4 sheets of 2026, 3 signed → 0.75 (Dec 2025's unsigned is not 2026's)
        score = 0.4 × 0.8 + 0.2 × 0.75 + 0.3 × 0.6 + 0.1 × 0.75 = 0.32 + 0.15 + 0.18 + 0.075
              = 72.5
    Branch BB — rated 3 (all 非常满意: 1.0, but under the minimum of 5: not counted); on time
    4 of 4 → 1.0; reverse 非常满意 ×4, 不满意 → 0.8; reviews 2 of 2 → 1.0
        score = (20 × 1.0 + 30 × 0.8 + 10 × 1.0) ÷ (20 + 30 + 10) = 54 ÷ 60 = 90.0
    Branch BO — nothing: no score, no rank.

    Cadre A (entries owned by 姜干部's account): ratings of 2026 非常满意 ×2, 满意, 基本满意,
    不满意 → 4 ÷ 5 = 0.8; deadlines of 2026: on time 4, late 1, open and overdue 1 → 4 ÷ 6;
    (an entry of 2025 and a void one left out); reverse 非常满意 ×5 → 1.0; no review
        score = (40 × 0.8 + 20 × 4/6 + 30 × 1.0) ÷ 90 = 75.333… ÷ 90 = 83.70
    Cadre B: no ratings; on time 4 of 5 → 0.8; reverse 非常满意 ×4, 不满意 → 0.8
        score = (20 × 0.8 + 30 × 0.8) ÷ 50 = 80.0
    Cadre C: reverse only, 非常满意 ×2, 满意, 基本满意, 不满意 → 0.8 → score 80.0
    Ranks: branches BB 1, BA 2, BO —; cadres A 1, B 2, C 2 (a tie).
    """
    ba, bb = world.branch_a, world.branch_b
    jan, feb, mar = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
    rollup(
        ba,
        jan,
        Level.GRASSROOTS_BRANCH,
        rated=6,
        rating_very_satisfied=3,
        rating_satisfied=2,
        rating_unsatisfied=1,
        replied_on_time=4,
        open_overdue=1,
    )
    rollup(
        ba,
        mar,
        Level.PARTY_MEMBER,
        rated=4,
        rating_very_satisfied=1,
        rating_satisfied=1,
        rating_basically_satisfied=1,
        rating_unsatisfied=1,
        replied_on_time=2,
        replied_late=1,
    )
    rollup(ba, dt.date(2025, 12, 1), Level.GRASSROOTS_BRANCH, rated=9, rating_unsatisfied=9)
    rollup(ba, dt.date(2027, 1, 1), Level.GRASSROOTS_BRANCH, replied_late=9)
    rollup(bb, feb, Level.GRASSROOTS_BRANCH, rated=3, rating_very_satisfied=3, replied_on_time=4)
    for month, signed in [(jan, True), (feb, True), (mar, False), (dt.date(2026, 4, 1), True)]:
        review(ba, month, signed, world)
    review(ba, dt.date(2025, 12, 1), False, world)
    review(bb, jan, True, world)
    review(bb, feb, True, world)

    a_user = world.users[Role.OFFICE_CADRE]
    closed, waiting = EntryStatus.CLOSED, EntryStatus.IN_PROGRESS
    for month, on_time, value in [
        (3, True, VS),
        (4, True, S),
        (5, False, U),
        (6, True, VS),
        (7, True, BS),
    ]:
        owned_entry(
            a_user, due_on=dt.date(2026, month, 10), status=closed, on_time=on_time, rating=value
        )
    owned_entry(a_user, due_on=dt.date(2026, 8, 10), status=waiting, overdue=True)
    owned_entry(a_user, due_on=dt.date(2026, 9, 10), status=waiting)  # not due yet: not counted
    owned_entry(
        a_user,
        due_on=dt.date(2025, 12, 20),
        status=closed,
        on_time=False,
        rating=U,
        rated_on=dt.date(2025, 12, 28),
    )
    owned_entry(a_user, due_on=dt.date(2026, 3, 20), status=EntryStatus.VOID, rating=U)
    b_user = world.users[Role.LEADERSHIP_CADRE]
    for month, on_time in [(2, True), (3, True), (4, False), (5, True), (6, True)]:
        owned_entry(b_user, due_on=dt.date(2026, month, 10), status=closed, on_time=on_time)

    campaign = make_campaign(world, status=CampaignStatus.CLOSED)
    raters = [
        make_rater(campaign, person=PersonFactory(name=f"评价人{n}", org=bb))[0] for n in range(5)
    ]
    rate_all(raters, ba, Level.GRASSROOTS_BRANCH, [VS, S, S, U, U])
    rate_all(raters, bb, Level.GRASSROOTS_BRANCH, [VS, VS, VS, VS, U])
    rate_all(raters, people["A"], Level.OFFICE_BRANCH, [VS] * 5)
    rate_all(raters, people["B"], Level.LEADERSHIP, [VS, VS, VS, VS, U])
    rate_all(raters, people["C"], Level.LEADERSHIP, [VS, VS, S, BS, U])
    rate_all(raters, world.member_a, Level.PARTY_MEMBER, [VS] * 5)  # a member: not a cadre
    return campaign


def table(campaign) -> dict:
    rows = AssessmentRow.objects.filter(campaign=campaign).select_related("org", "person")
    return {
        (row.org.code if row.org_id else row.person.name): (
            row.satisfaction_rate,
            row.rated,
            row.on_time_rate,
            row.reverse_rate,
            row.reverse_count,
            row.review_rate,
            row.score,
            row.rank,
        )
        for row in rows
    }


def test_the_table_worked_out_by_hand(world, campaign, people, django_assert_num_queries):
    # In its savepoint: the campaign locked, the reverse results, the branches' roll-ups, their
    # reviews, the branches, the cadres' ratings, single-round deadlines, reopened entries (and
    # their timelines when there are any: none here), the cadres, delete, insert.
    with django_assert_num_queries(13):
        rows = assessment_compute(campaign=campaign)
    assert len(rows) == 6
    assert table(campaign) == {
        # satisfaction, rated, on time, reverse, its count, reviews, score, rank
        "BA": (0.8, 10, 0.75, 0.6, 5, 0.75, 72.5, 2),
        "BB": (1.0, 3, 1.0, 0.8, 5, 1.0, 90.0, 1),
        "BO": (None, 0, None, None, 0, None, None, None),
        "姜干部": (0.8, 5, 4 / 6, 1.0, 5, None, 83.7, 1),
        "萧领导": (None, 0, 0.8, 0.8, 5, None, 80.0, 2),
        "无账号领导": (None, 0, None, 0.8, 5, None, 80.0, 2),
    }


def test_the_queries_do_not_grow_with_the_table(world, campaign, django_assert_num_queries):
    for _ in range(10):
        make_org(world.committee_b, OrgKind.BRANCH, branch_type=BranchType.GRASSROOTS)
        cadre = PersonFactory(org=world.branch_b)
        make_user(Role.GRASSROOTS_CADRE, scope=world.branch_b, person=cadre)
    with django_assert_num_queries(13):
        rows = assessment_compute(campaign=campaign)
    assert len(rows) == 6 + 20


def test_computing_again_replaces_the_rows(world, campaign):
    first = {row.pk for row in assessment_compute(campaign=campaign)}
    EvaluationCampaign.objects.filter(pk=campaign.pk).update(weight_reverse=0, weight_review=40)
    campaign.refresh_from_db()
    assessment_compute(campaign=campaign)
    rows = AssessmentRow.objects.filter(campaign=campaign)
    assert rows.count() == 6 and not first & set(rows.values_list("pk", flat=True))
    # BA with weights 40 / 20 / 0 / 40: (32 + 15 + 30) ÷ 100 = 77.0
    assert rows.get(org=world.branch_a).score == 77.0


def test_only_a_closed_campaign_is_assessed(world, campaign):
    for status in (CampaignStatus.OPEN, CampaignStatus.DRAFT):
        EvaluationCampaign.objects.filter(pk=campaign.pk).update(status=status)
        with pytest.raises(ValidationError):
            assessment_compute(campaign=campaign)
    assert not AssessmentRow.objects.exists()


def test_the_figures_match_the_roll_ups_for_a_branch(world, campaign):
    assessment_compute(campaign=campaign)
    totals = figures(node=world.branch_a, period=Period.year(2026)).totals
    row = AssessmentRow.objects.get(campaign=campaign, org=world.branch_a)
    assert (row.rated, row.satisfaction_rate, row.on_time_rate) == (
        totals.rated,
        totals.satisfaction_rate,
        totals.on_time_rate,
    )


@pytest.mark.parametrize(
    ("rates", "score"),
    [
        ({"satisfaction": 0.8, "on_time": 0.75, "reverse": 0.6, "review": 0.75}, 72.5),
        ({"satisfaction": None, "on_time": 1.0, "reverse": 0.8, "review": 1.0}, 90.0),
        ({"satisfaction": 0.5, "on_time": None, "reverse": None, "review": None}, 50.0),
        ({"satisfaction": 1 / 3, "on_time": None, "reverse": None, "review": None}, 33.33),
        ({"satisfaction": None, "on_time": None, "reverse": None, "review": None}, None),
    ],
)
def test_a_part_without_data_gives_its_weight_to_the_others(rates, score):
    weights = {"satisfaction": 40, "on_time": 20, "reverse": 30, "review": 10}
    assert assessment_score(rates=rates, weights=weights) == score


def test_a_zero_weight_part_alone_gives_no_score():
    weights = {"satisfaction": 0, "on_time": 100, "reverse": 0, "review": 0}
    rates = {"satisfaction": 0.9, "on_time": None, "reverse": None, "review": None}
    assert assessment_score(rates=rates, weights=weights) is None


def test_ties_share_a_rank():
    rows = [
        AssessmentRow(score=score, rated=5, satisfaction_rate=0.8)
        for score in (80.0, 95.5, 80.0, None, 70.0, 95.5)
    ]
    rank_rows(rows, min_ratings=5)
    assert [row.rank for row in rows] == [3, 1, 3, None, 5, 1]


def test_a_score_without_enough_ratings_is_not_ranked():
    """Nine cadres with one to four ratings and every reply on time score 100 from the on-time
    rate alone: none is ranked. Ranked: five ratings (the satisfaction rate counts), or a
    reverse-evaluation result with no entry rating at all."""
    few = [AssessmentRow(score=100.0, rated=n % 4 + 1, satisfaction_rate=1.0) for n in range(9)]
    counted = AssessmentRow(score=90.0, rated=5, satisfaction_rate=0.8)
    reverse = AssessmentRow(score=90.0, rated=0, reverse_rate=0.9)
    nothing = AssessmentRow(score=None)
    rank_rows([*few, counted, reverse, nothing], min_ratings=5)
    assert [row.rank for row in few] == [None] * 9
    assert (counted.rank, reverse.rank, nothing.rank) == (1, 1, None)
    rank_rows([*few, counted], min_ratings=1)  # a minimum of one: the nine rank first, tied
    assert [row.rank for row in few] == [1] * 9 and counted.rank == 10


# --- a cadre's figures against the roll-ups, reopened rounds included --------------------------


def test_a_cadre_alone_in_a_ledger_has_its_roll_up_figures(db, monkeypatch):
    """In the hand-built ledger of tests/fixtures/rollups.py (to 2026-04-10) the
    office cadre records and owns every entry of the office branch BO: E10, reopened twice
    (rounds due Feb 5 and Mar 4 replied on time and rated 不满意, the third overdue since
    April), and E11 (replied on time on Apr 1). The cadre's year equals BO's roll-ups:
    rated 2, none satisfied; on time 3 of 4 deadlines come (3 ÷ (3 + 0 + 1) = 0.75)."""
    world = build_world()
    build_ledger(world, Clock(monkeypatch))
    rollups_rebuild()
    campaign = make_campaign(world, status=CampaignStatus.CLOSED)
    assessment_compute(campaign=campaign)
    totals = figures(node=world.office_branch, period=Period.year(2026)).totals
    row = AssessmentRow.objects.get(campaign=campaign, person=world.cadre_person)
    assert (row.rated, row.satisfaction_rate, row.on_time_rate) == (2, 0.0, 0.75)
    assert (totals.rated, totals.satisfaction_rate, totals.on_time_rate) == (2, 0.0, 0.75)
    # Score: satisfaction not counted (2 < 5), no reverse answers, no review: on time only —
    # a score from no rating at all, so the row is listed unranked.
    assert (row.score, row.rank) == (75.0, None)
    branch = AssessmentRow.objects.get(campaign=campaign, org=world.branch_a)
    ba = figures(node=world.branch_a, period=Period.year(2026)).totals
    assert (branch.rated, branch.satisfaction_rate, branch.on_time_rate) == (
        ba.rated,
        ba.satisfaction_rate,
        ba.on_time_rate,
    )


# --- pages ------------------------------------------------------------------------------------


def page_url(campaign, name="assessment") -> str:
    return reverse(f"feedback:evaluations:{name}", args=[campaign.pk])


@pytest.mark.parametrize("role", READERS + OTHERS)
def test_the_page_by_role(world, campaign, client_for, role):
    assessment_compute(campaign=campaign)
    client = client_for(world.users[role])
    expected = HTTPStatus.OK if role in READERS else HTTPStatus.NOT_FOUND
    assert client.get(page_url(campaign)).status_code == expected
    assert client.get(page_url(campaign, "assessment_export")).status_code == expected
    compute = client.post(page_url(campaign, "assessment_compute"))
    if role in (Role.PARTY_BUILDING, Role.ADMINISTRATOR):
        assert compute.status_code == HTTPStatus.FOUND
        assert compute["Location"] == page_url(campaign)
    elif role in READERS:
        assert compute.status_code == HTTPStatus.FORBIDDEN  # reads it, may not compute it
    else:
        assert compute.status_code == HTTPStatus.NOT_FOUND


def test_the_page_lists_the_subtree_of_its_reader(world, campaign, client_for):
    assessment_compute(campaign=campaign)
    department = client_for(world.users[Role.PARTY_BUILDING]).get(page_url(campaign)).text
    for name in ("变电运维党支部", "城区供电所党支部", "姜干部", "萧领导", "无账号领导"):
        assert name in department
    assert 'data-testid="compute"' in department and "张党员" not in department
    staff = client_for(world.users[Role.COMMITTEE_STAFF]).get(page_url(campaign)).text
    assert "变电运维党支部" in staff and "姜干部" in staff and "萧领导" in staff  # KA
    assert "城区供电所党支部" not in staff and "无账号领导" not in staff  # KB
    assert 'data-testid="compute"' not in staff
    secretary = client_for(world.users[Role.BRANCH_SECRETARY]).get(page_url(campaign)).text
    assert "变电运维党支部" in secretary and "姜干部" not in secretary


def test_a_cadre_in_a_party_group_is_shown_with_the_branch(world, campaign, people, client_for):
    people["B"].org = world.group_a
    people["B"].save(update_fields=["org"])
    assessment_compute(campaign=campaign)
    page = client_for(world.users[Role.PARTY_BUILDING]).get(page_url(campaign)).text
    assert f"{world.branch_a.name} · {world.group_a.name}" in page


def test_the_page_shows_ranks_and_scores(world, campaign, client_for):
    assessment_compute(campaign=campaign)
    page = client_for(world.users[Role.PARTY_BUILDING]).get(page_url(campaign)).text
    branches = page[page.index('data-testid="assessment-branches"') :]
    branches = branches[: branches.index('data-testid="assessment-cadres"')]
    codes = [code for code in ("BB", "BA", "BO") if f'data-org="{code}"' in branches]
    assert codes == ["BB", "BA", "BO"]
    assert branches.index('data-org="BB"') < branches.index('data-org="BA"')
    assert branches.index('data-org="BA"') < branches.index('data-org="BO"')
    assert 'data-testid="score">90.00<' in branches and 'data-testid="score">72.50<' in branches
    assert "100.0%*" in branches  # BB's three ratings: shown, marked, not counted
    assert branches.count('data-testid="unranked"') == 1  # BO: no figures
    cadres = page[page.index('data-testid="assessment-cadres"') :]
    assert cadres.count('data-testid="tied"') == 2  # 萧领导 and 无账号领导 share rank 2


def test_a_cadre_ranked_from_the_on_time_rate_alone_is_listed_unranked(
    world, campaign, people, client_for
):
    """Cadre A's five ratings become two (the others are moved to 2025): the satisfaction
    rate no longer counts; with the reverse results gone too, A's score rests on no rating —
    listed with the score, unranked, and the reason."""
    Rating.objects.filter(entry__owner=world.users[Role.OFFICE_CADRE]).exclude(
        value=Satisfaction.BASICALLY_SATISFIED
    ).exclude(value=Satisfaction.UNSATISFIED).update(rated_at=moment(dt.date(2025, 6, 1)))
    EvaluationAnswer.objects.filter(assignment__ratee_person=people["A"]).delete()
    assessment_compute(campaign=campaign)
    row = AssessmentRow.objects.get(campaign=campaign, person=people["A"])
    assert (row.rated, row.rank) == (2, None) and row.score is not None
    page = client_for(world.users[Role.PARTY_BUILDING]).get(page_url(campaign)).text
    cadres = page[page.index('data-testid="assessment-cadres"') :]
    assert "不参与排名" in cadres or "Not ranked" in cadres
    ranks = [
        row.rank for row in AssessmentRow.objects.filter(campaign=campaign, person__isnull=False)
    ]
    assert sorted(rank for rank in ranks if rank) == [1, 1]  # B and C, tied first


def test_the_page_of_an_open_or_missing_campaign_is_404(world, campaign, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    EvaluationCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.OPEN)
    for name in ("assessment", "assessment_export"):
        assert client.get(page_url(campaign, name)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(page_url(campaign, "assessment_compute")).status_code == 404
    assert client.get(reverse("feedback:evaluations:assessment", args=[999])).status_code == 404


def test_compute_takes_a_post_only(world, campaign, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(page_url(campaign, "assessment_compute"))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not AssessmentRow.objects.exists()


def test_the_page_before_computing_says_so(world, campaign, client_for, django_assert_num_queries):
    client = client_for(world.users[Role.PARTY_BUILDING])
    with django_assert_num_queries(5):  # session, user, campaign, rows, the bell
        response = client.get(page_url(campaign))
    assert (
        response.status_code == HTTPStatus.OK
        and 'data-testid="assessment-row"' not in response.text
    )
    client.post(page_url(campaign, "assessment_compute"))
    with django_assert_num_queries(5):
        page = client.get(page_url(campaign)).text
    assert page.count('data-testid="assessment-row"') == 6


def test_the_export_holds_branches_cadres_and_weights(world, campaign, client_for):
    assessment_compute(campaign=campaign)
    client = client_for(world.users[Role.PARTY_BUILDING])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the names whatever the translation
    response = client.get(page_url(campaign, "assessment_export"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="assessment-2026.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Branches", "Cadres", "Weights"]
    branches = list(workbook["Branches"].values)
    assert branches[0][:3] == ("Rank", "Branch", "Code")
    assert branches[1] == (1, "城区供电所党支部", "BB", 1.0, 3, 1.0, 0.8, 5, 1.0, 90.0, None)
    assert branches[2] == (2, "变电运维党支部", "BA", 0.8, 10, 0.75, 0.6, 5, 0.75, 72.5, None)
    assert branches[3][:3] == (None, "机关第一党支部", "BO") and branches[3][9] is None
    assert branches[3][10] == "Not ranked: no figures in the year"
    assert workbook["Branches"]["D2"].number_format == "0.0%"
    cadres = list(workbook["Cadres"].values)
    # A tie is listed by name.
    assert [row[:2] for row in cadres[1:]] == [(1, "姜干部"), (2, "无账号领导"), (2, "萧领导")]
    assert cadres[1][-2:] == (83.7, None)
    assert cadres[2][-1] == cadres[3][-1] == "tied"
    assert list(workbook["Weights"].values)[1:] == [
        ("Entry satisfaction rate", 40),
        ("On-time reply rate", 20),
        ("Reverse-evaluation rate", 30),
        ("Monthly reviews signed", 10),
    ]


def test_the_export_of_a_committee_holds_its_subtree(world, campaign, client_for):
    assessment_compute(campaign=campaign)
    client = client_for(world.users[Role.COMMITTEE_STAFF])
    response = client.get(page_url(campaign, "assessment_export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {row[1] for sheet in workbook.worksheets[:2] for row in list(sheet.values)[1:]}
    assert names == {"变电运维党支部", "机关第一党支部", "姜干部", "萧领导"}


def test_an_inactive_account_is_no_cadre(world, campaign, people):
    User.objects.filter(pk=world.users[Role.LEADERSHIP_CADRE].pk).update(is_active=False)
    assessment_compute(campaign=campaign)
    rows = AssessmentRow.objects.filter(campaign=campaign, person__isnull=False)
    # B is still rated at the leadership level in the campaign: kept, as C is.
    assert {row.person.name for row in rows} == {"姜干部", "萧领导", "无账号领导"}
    assert not rows.filter(person=world.member_a).exists()
