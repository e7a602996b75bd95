"""Who rates whom (R12): the proposal from pairings, visits and memberships, rule by rule; the
command that prints it; campaign_propose that saves it with signed tokens."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.constants import EvaluationRule
from feedback.evaluations.campaigns_services import (
    campaign_create,
    campaign_pair_add,
    campaign_propose,
)
from feedback.evaluations.proposal import evaluation_proposal
from feedback.models import EvaluationAssignment, EvaluationCampaign, EvaluationRater
from liaison.constants import BranchType, Level, OrgKind, PairingKind, PlaceType, Role, UnitKind
from liaison.models import Pairing, Person, Visit
from liaison.services.pairings import pairing_create
from tests.fixtures.factories import PersonFactory, UnitFactory, make_org, make_user

R = EvaluationRule
YEAR = 2026


@dataclass
class Year:
    world: object
    leader: Person  # a contact-point leader (no account)
    cadre: Person  # a leadership cadre by account (no contact point)


def visit(world, on: dt.date, visitors: list[Person], party: Person | None) -> Visit:
    made = Visit.objects.create(
        visited_on=on,
        org=world.branch_a,
        recorded_by=world.users[Role.BRANCH_SECRETARY],
        visited_party=party,
        place_type=PlaceType.ENTERPRISE,
    )
    made.visitors.add(*visitors)
    return made


def build_year(world) -> Year:
    """The world, with each kind of pairing and visit the rules read, in and out of 2026."""
    w = world
    leader = PersonFactory(name="王领导", org=w.office_branch, unit=w.department)
    cadre = PersonFactory(name="赵领导", org=w.committee_a)
    make_user(Role.LEADERSHIP_CADRE, scope=w.committee_a, person=cadre)
    start, old = dt.date(2026, 3, 1), dt.date(2024, 1, 1)
    K = PairingKind

    def pair(kind, subject, target, start_on=start, end_on=None):
        pairing_create(
            actor=None, kind=kind, subject=subject, target=target, start_on=start_on, end_on=end_on
        )

    pair(K.LEADER_CONTACT, leader, w.team_a)  # team_a rates the leader
    pair(K.LEADER_CONTACT, leader, w.team_b, old, dt.date(2025, 12, 31))  # over before 2026
    pair(K.BRANCH_JOINT, w.office_branch, w.branch_a)  # branch_a rates the office branch
    pair(K.BRANCH_JOINT, w.office_branch, w.branch_b, dt.date(2027, 1, 1))  # starts later
    pair(K.MEMBER_SERVED, w.member_a, w.customer_a, old)  # running since 2024
    pair(K.MEMBER_SERVED, w.member_a, w.special_a, start, dt.date(2026, 6, 30))  # ended mid-year
    pair(K.MEMBER_SERVED, w.member_b, w.special_a, old, dt.date(2025, 6, 30))  # over
    pair(K.CADRE_TEAM, w.cadre_person, w.team_a)  # no rule reads this kind
    # Visits: by the contact-point leader (twice), by the cadre with an account, by a member
    # (not a leader), in another year, and the leader "visiting" his own file.
    visit(w, dt.date(2026, 5, 6), [leader, w.member_a], w.customer_a)
    visit(w, dt.date(2026, 9, 1), [leader], w.customer_a)
    visit(w, dt.date(2026, 7, 1), [cadre], w.member_b)
    visit(w, dt.date(2026, 7, 2), [w.member_a], w.special_a)
    visit(w, dt.date(2025, 7, 2), [cadre], w.special_a)
    visit(w, dt.date(2026, 8, 1), [leader], leader)
    visit(w, dt.date(2026, 8, 2), [cadre], None)  # no visited party: nobody to rate
    # Not rating: an inactive employee, an employee of an office branch, a customer.
    PersonFactory(name="离职职工", org=w.branch_a, is_active=False)
    return Year(w, leader, cadre)


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


def _grow(world, n: int) -> None:
    """n more grassroots branches, each with a team, a member serving a customer, employees,
    a contact point and a joint branch."""
    K = PairingKind
    for i in range(n):
        branch = make_org(world.committee_b, OrgKind.BRANCH, f"支部{i}", BranchType.GRASSROOTS)
        group = make_org(branch, OrgKind.GROUP, f"小组{i}")
        team = UnitFactory(kind=UnitKind.TEAM, branch=branch)
        member = PersonFactory(org=group, is_party_member=True)
        PersonFactory.create_batch(3, org=branch)
        customer = PersonFactory(kind="enterprise", org=branch)
        leader = PersonFactory(org=world.office_branch)
        start = dt.date(2026, 1, 1)
        pairing_create(
            actor=None, kind=K.MEMBER_SERVED, subject=member, target=customer, start_on=start
        )
        pairing_create(
            actor=None, kind=K.LEADER_CONTACT, subject=leader, target=team, start_on=start
        )
        pairing_create(
            actor=None,
            kind=K.BRANCH_JOINT,
            subject=world.office_branch,
            target=branch,
            start_on=start,
        )
        visit(world, dt.date(2026, 4, 1), [leader], customer)


def test_the_proposal_takes_six_queries_however_large_the_company(year, django_assert_num_queries):
    with django_assert_num_queries(6):
        small = evaluation_proposal(year=YEAR)
    _grow(year.world, 15)
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
    _grow(year.world, 8)  # 8 times as many raters, still one INSERT batch each on SQLite
    assert count() == small
    assert small <= 27  # with the savepoints of the nested transactions
