"""Who rates whom (R12): the proposal from pairings, visits and memberships, rule by rule; the
command that prints it; campaign_propose that saves it with signed tokens."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.constants import EvaluationRule
from feedback.models import EvaluationAssignment, EvaluationCampaign, EvaluationRater
from feedback.selectors.proposal import evaluation_proposal
from feedback.services.campaign_pairs import campaign_pair_add
from feedback.services.campaigns import campaign_create, campaign_propose
from liaison.constants import Level, PairingKind, Role
from liaison.models import Pairing
from liaison.services.pairings import pairing_create
from tests.fixtures.evaluations import YEAR, build_year, grow_company

R = EvaluationRule


@pytest.fixture
def year(world):
    return build_year(world)


def keys(proposal, rule=None) -> set[tuple]:
    return {
        (p.rule, p.rater.kind, p.rater.code, p.ratee.kind, p.ratee.code)
        for p in proposal.pairs
        if rule is None or p.rule == rule
    }


def test_visited_leader_contact_points_and_visits_by_leadership_cadres(year):
    w = year.world
    proposal = evaluation_proposal(year=YEAR)
    assert keys(proposal, R.VISITED_LEADER) == {
        (R.VISITED_LEADER, "unit", w.team_a.code, "person", year.leader.code),
        (R.VISITED_LEADER, "person", w.customer_a.code, "person", year.leader.code),
        (R.VISITED_LEADER, "person", w.member_b.code, "person", year.cadre.code),
    }


def test_joint_branch_the_grassroots_branch_rates_the_office_branch(year):
    w = year.world
    assert keys(evaluation_proposal(year=YEAR), R.JOINT_BRANCH) == {
        (R.JOINT_BRANCH, "org", w.branch_a.code, "org", w.office_branch.code)
    }


def test_branch_people_every_active_employee_rates_their_grassroots_branch(year):
    w = year.world
    assert keys(evaluation_proposal(year=YEAR), R.BRANCH_PEOPLE) == {
        (R.BRANCH_PEOPLE, "person", w.member_a.code, "org", w.branch_a.code),  # via group_a
        (R.BRANCH_PEOPLE, "person", w.special_a.code, "org", w.branch_a.code),
        (R.BRANCH_PEOPLE, "person", w.member_b.code, "org", w.branch_b.code),
    }


def test_served_member_the_people_served_during_the_year_rate_the_member(year):
    w = year.world
    assert keys(evaluation_proposal(year=YEAR), R.SERVED_MEMBER) == {
        (R.SERVED_MEMBER, "person", w.customer_a.code, "person", w.member_a.code),
        (R.SERVED_MEMBER, "person", w.special_a.code, "person", w.member_a.code),
    }


def test_each_rule_counts_at_its_level_and_nobody_rates_themselves(year):
    proposal = evaluation_proposal(year=YEAR)
    levels = {
        R.VISITED_LEADER: Level.LEADERSHIP,
        R.JOINT_BRANCH: Level.OFFICE_BRANCH,
        R.BRANCH_PEOPLE: Level.GRASSROOTS_BRANCH,
        R.SERVED_MEMBER: Level.PARTY_MEMBER,
    }
    assert all(p.level == levels[p.rule] for p in proposal.pairs)
    assert all(p.rater.key != p.ratee.key for p in proposal.pairs)
    pairs = [(p.rater.key, p.ratee.key) for p in proposal.pairs]
    assert len(pairs) == len(set(pairs))  # two visits, one pair
    assert proposal.counts() == {
        R.VISITED_LEADER: 3,
        R.JOINT_BRANCH: 1,
        R.BRANCH_PEOPLE: 3,
        R.SERVED_MEMBER: 2,
    }
    # customer_a (2), team_a, member_b (2), branch_a, member_a, special_a (2)
    assert proposal.rater_count() == 6


def test_a_pair_found_by_two_rules_is_kept_once_under_the_first(year):
    w = year.world
    # The leader also serves customer_a as a party member.
    year.leader.is_party_member = True
    year.leader.save()
    pairing_create(
        actor=None,
        kind=PairingKind.MEMBER_SERVED,
        subject=year.leader,
        target=w.customer_a,
        start_on=dt.date(2026, 1, 1),
    )
    found = [
        p
        for p in evaluation_proposal(year=YEAR).pairs
        if p.rater.code == w.customer_a.code and p.ratee.code == year.leader.code
    ]
    assert [p.rule for p in found] == [R.VISITED_LEADER]


def test_another_year_reads_that_years_pairings_and_visits(year):
    w = year.world
    proposal = evaluation_proposal(year=2025)
    assert keys(proposal, R.VISITED_LEADER) == {
        (R.VISITED_LEADER, "unit", w.team_b.code, "person", year.leader.code),
        (R.VISITED_LEADER, "person", w.special_a.code, "person", year.cadre.code),
    }
    assert keys(proposal, R.JOINT_BRANCH) == set()
    assert keys(proposal, R.SERVED_MEMBER) == {
        (R.SERVED_MEMBER, "person", w.customer_a.code, "person", w.member_a.code),
        (R.SERVED_MEMBER, "person", w.special_a.code, "person", w.member_b.code),
    }


def test_the_proposal_takes_six_queries_however_large_the_company(year, django_assert_num_queries):
    with django_assert_num_queries(6):
        small = evaluation_proposal(year=YEAR)
    grow_company(year.world, 15)
    with django_assert_num_queries(6):
        large = evaluation_proposal(year=YEAR)
    assert len(large.pairs) == len(small.pairs) + 15 * (1 + 1 + 1 + 4 + 1)


# --- the command --------------------------------------------------------------------------------


def test_the_command_prints_the_proposal_as_json_and_saves_nothing(year):
    w = year.world
    out = StringIO()
    call_command("evaluation_propose", "--year", str(YEAR), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == YEAR
    assert data["counts"] == {
        "visited_leader": 3,
        "joint_branch": 1,
        "branch_people": 3,
        "served_member": 2,
    }
    assert data["pairs_total"] == 9
    assert data["raters"] == 6
    joint = next(p for p in data["pairs"] if p["rule"] == "joint_branch")
    assert joint == {
        "rule": "joint_branch",
        "level": "office_branch",
        "rater": {"kind": "org", "id": w.branch_a.pk, "code": "BA", "name": "变电运维党支部"},
        "ratee": {"kind": "org", "id": w.office_branch.pk, "code": "BO", "name": "机关第一党支部"},
    }
    assert EvaluationRater.objects.count() == 0
    assert EvaluationAssignment.objects.count() == 0


def test_the_command_prints_a_readable_summary(year):
    out = StringIO()
    call_command("evaluation_propose", "--year", str(YEAR), "--limit", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert "2026" in lines[0] and "9" in lines[0]
    assert len(lines) == 1 + 4 + 2 + 1  # heading, four rules, two pairs, "and 7 more"
    assert "7" in lines[-1]


@pytest.mark.parametrize("args", [["--year", "1999"], ["--year", "2026", "--limit", "-1"]])
def test_the_command_refuses_bad_arguments(db, args):
    with pytest.raises(CommandError):
        call_command("evaluation_propose", *args, stdout=StringIO())


# --- saving the proposal ------------------------------------------------------------------------


def test_saving_gives_each_rater_one_row_and_a_signed_token(year):
    dj = year.world.users[Role.PARTY_BUILDING]
    campaign = campaign_create(actor=dj, year=YEAR, today=dt.date(2026, 11, 1))
    raters = list(EvaluationRater.objects.filter(campaign=campaign))
    assert len(raters) == 6
    assert EvaluationAssignment.objects.filter(rater__campaign=campaign).count() == 9
    for rater in raters:
        token = rater.token()
        assert token is not None and len(token) == 43  # 256 bits
        assert rater.token_hash == EvaluationRater.hash_of(token)
        assert rater.token_hash == EvaluationRater.hash_of(rater.token_with(settings.SECRET_KEY))
        # How the rater's page finds it.
        assert EvaluationRater.objects.get(token_hash=EvaluationRater.hash_of(token)) == rater
    assert len({r.nonce for r in raters}) == 6
    saved = {
        (a.rule, a.level, a.rater.party.code, a.ratee.code)
        for a in EvaluationAssignment.objects.filter(rater__campaign=campaign).select_related(
            "rater__person", "rater__unit", "rater__org", "ratee_person", "ratee_org"
        )
    }
    assert {(rule, rater, ratee) for rule, _lvl, rater, ratee in saved} == {
        (p.rule, p.rater.code, p.ratee.code) for p in evaluation_proposal(year=YEAR).pairs
    }


def test_proposing_again_replaces_the_rules_pairs_keeps_manual_ones_and_raters_links(year):
    w = year.world
    dj = w.users[Role.PARTY_BUILDING]
    campaign = campaign_create(actor=dj, year=YEAR, today=dt.date(2026, 11, 1))
    tokens = {r.pk: r.token() for r in EvaluationRater.objects.filter(campaign=campaign)}
    # By hand: the department adds that customer_a also rates the member_b, and a rater that no
    # rule proposes (team_b) rates the cadre.
    campaign_pair_add(actor=dj, campaign=campaign, rater=w.customer_a, ratee=w.member_b)
    campaign_pair_add(actor=dj, campaign=campaign, rater=w.team_b, ratee=year.cadre)
    # The joint pairing ends before the year: branch_a no longer rates.
    Pairing.objects.filter(kind=PairingKind.BRANCH_JOINT).update(
        start_on=dt.date(2024, 1, 1), end_on=dt.date(2025, 12, 31)
    )
    saved = campaign_propose(campaign=campaign, actor=dj)
    assert saved.counts[R.JOINT_BRANCH] == 0
    assert saved.kept_manual == 2
    assert saved.raters_removed == 1  # branch_a rated only the office branch
    pairs = EvaluationAssignment.objects.filter(rater__campaign=campaign)
    assert pairs.filter(rule=R.MANUAL).count() == 2
    assert pairs.count() == 8 + 2
    after = {r.pk: r.token() for r in EvaluationRater.objects.filter(campaign=campaign)}
    # Raters still rating keep their row and link; team_b's is new.
    assert {pk: t for pk, t in after.items() if pk in tokens} == {
        pk: t for pk, t in tokens.items() if pk in after
    }
    assert len(after) == 6 - 1 + 1


def test_saving_is_set_based(year):
    """A fixed number of queries, plus one per BATCH_SIZE rows (or SQLite's 999 parameters)."""
    dj = year.world.users[Role.PARTY_BUILDING]

    def count() -> int:
        EvaluationAssignment.objects.all().delete()
        EvaluationRater.objects.all().delete()
        EvaluationCampaign.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            campaign_create(actor=dj, year=YEAR, today=dt.date(2026, 11, 1))
        return len(queries)

    small = count()
    grow_company(year.world, 8)  # 8 times as many raters, still one INSERT batch each on SQLite
    assert count() == small
    assert small <= 27  # with the savepoints of the nested transactions
