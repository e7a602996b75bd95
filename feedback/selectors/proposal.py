"""Who rates whom in a year's reverse evaluation (R12), proposed from the pairings (R13), the
visits (R14) and the memberships of the org tree.

The rules (feedback.constants.EvaluationRule), each counted at one of the four levels (R7):

- VISITED_LEADER (leadership): a unit that is a leadership contact point rates its leader (the
  LEADER_CONTACT pairings running during the year), and the person or party visited during the
  year by a leadership cadre rates that cadre. A leadership cadre is a person whose account has
  the role LEADERSHIP_CADRE, or the leader of a LEADER_CONTACT pairing running that year (the
  demo's leaders are both; an imported leader may have no account yet).
- JOINT_BRANCH (office branch): the grassroots branch of a BRANCH_JOINT pairing running during
  the year rates the office branch.
- BRANCH_PEOPLE (grassroots branch): every active employee whose party branch or group lies in a
  grassroots branch rates that branch.
- SERVED_MEMBER (party member): the employee or customer of a MEMBER_SERVED pairing running
  during the year rates the party member.

Only active people, units and branches rate or are rated. Nobody rates themselves (the same
person, or the same branch, on both sides); a pair found by two rules is kept once, under the
first rule in the order above. The proposal is read in a fixed number of queries (six) however
large the company; nothing here writes (feedback.services.campaigns.campaign_propose saves
it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from feedback.constants import EvaluationRule
from liaison.constants import (
    BranchType,
    Level,
    OrgKind,
    PairingKind,
    PairingShape,
    PersonKind,
    Role,
)
from liaison.models import OrgNode, Pairing, Person, User, Visit

# The level (R7) at which each rule's ratings count; MANUAL pairs take the ratee's.
RULE_LEVELS: dict[str, str] = {
    EvaluationRule.VISITED_LEADER: Level.LEADERSHIP,
    EvaluationRule.JOINT_BRANCH: Level.OFFICE_BRANCH,
    EvaluationRule.BRANCH_PEOPLE: Level.GRASSROOTS_BRANCH,
    EvaluationRule.SERVED_MEMBER: Level.PARTY_MEMBER,
}
# The rules the proposal applies, in the order that decides which one a pair found twice keeps.
PROPOSED_RULES = tuple(RULE_LEVELS)

PERSON, UNIT, ORG = PairingShape.PERSON, PairingShape.UNIT, PairingShape.ORG


@dataclass(frozen=True)
class Party:
    """One side of a proposed pair: a person, a unit or a party branch, with its code and name."""

    kind: str  # PairingShape: person, unit or org
    pk: int
    code: str
    name: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.pk, "code": self.code, "name": self.name}


@dataclass(frozen=True)
class ProposedPair:
    rule: str
    level: str
    rater: Party
    ratee: Party

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "level": self.level,
            "rater": self.rater.as_dict(),
            "ratee": self.ratee.as_dict(),
        }


@dataclass
class Proposal:
    """The pairs proposed for one year, in the order of the rules, then of the codes."""

    year: int
    pairs: list[ProposedPair] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Pairs per rule (every proposed rule named, zeros included)."""
        found = Counter(pair.rule for pair in self.pairs)
        return {rule: found.get(rule, 0) for rule in PROPOSED_RULES}

    def rater_count(self) -> int:
        return len({pair.rater.key for pair in self.pairs})

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "raters": self.rater_count(),
            "pairs_total": len(self.pairs),
            "counts": self.counts(),
            "pairs": [pair.as_dict() for pair in self.pairs],
        }


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def running_during(first: dt.date, last: dt.date) -> Q:
    """Pairings running on at least one day of [first, last]."""
    return Q(start_on__lte=last) & (Q(end_on__isnull=True) | Q(end_on__gte=first))


def leadership_cadre_condition(first: dt.date, last: dt.date, field_name: str = "pk") -> Q:
    """Whether the person in `field_name` is a leadership cadre during [first, last]: their
    account's role, or the leader side of a contact point running then (two subqueries)."""
    by_role = User.objects.filter(role=Role.LEADERSHIP_CADRE, person__isnull=False).values(
        "person_id"
    )
    by_pairing = Pairing.objects.filter(
        running_during(first, last), kind=PairingKind.LEADER_CONTACT
    ).values("person_id")
    return Q(**{f"{field_name}__in": by_role}) | Q(**{f"{field_name}__in": by_pairing})


def _pairs(rule: str, rows, rater_kind: str, ratee_kind: str) -> list[ProposedPair]:
    """Rows of (rater id, code, name, ratee id, code, name) as pairs of `rule`."""
    level = RULE_LEVELS[rule]
    return [
        ProposedPair(
            rule,
            level,
            Party(rater_kind, row[0], row[1], row[2]),
            Party(ratee_kind, row[3], row[4], row[5]),
        )
        for row in rows
    ]


def _side(prefix: str) -> tuple[str, str, str]:
    return (f"{prefix}_id", f"{prefix}__code", f"{prefix}__name")


def _visited_leader(first: dt.date, last: dt.date) -> list[ProposedPair]:
    contact_points = (
        Pairing.objects.filter(
            running_during(first, last),
            kind=PairingKind.LEADER_CONTACT,
            person__is_active=True,
            target_unit__is_active=True,
        )
        .order_by()
        .values_list(*_side("target_unit"), *_side("person"))
        .distinct()
    )
    visits = (
        Visit.visitors.through.objects.filter(
            leadership_cadre_condition(first, last, "person_id"),
            visit__visited_on__range=(first, last),
            visit__visited_party__isnull=False,
            visit__visited_party__is_active=True,
            person__is_active=True,
        )
        .order_by()
        .values_list(*_side("visit__visited_party"), *_side("person"))
        .distinct()
    )
    rule = EvaluationRule.VISITED_LEADER
    return _pairs(rule, contact_points, UNIT, PERSON) + _pairs(rule, visits, PERSON, PERSON)


def _joint_branch(first: dt.date, last: dt.date) -> list[ProposedPair]:
    rows = (
        Pairing.objects.filter(
            running_during(first, last),
            kind=PairingKind.BRANCH_JOINT,
            org__is_active=True,
            target_org__is_active=True,
        )
        .order_by()
        .values_list(*_side("target_org"), *_side("org"))
        .distinct()
    )
    return _pairs(EvaluationRule.JOINT_BRANCH, rows, ORG, ORG)


def _branch_people() -> list[ProposedPair]:
    """Each active employee of a grassroots branch (in the branch or one of its groups) rates
    that branch: two queries, the branches then the people, matched by path in Python."""
    branches = {
        path: Party(ORG, pk, code, name)
        for pk, path, code, name in OrgNode.objects.filter(
            kind=OrgKind.BRANCH, branch_type=BranchType.GRASSROOTS, is_active=True
        ).values_list("pk", "path", "code", "name")
    }
    if not branches:
        return []
    people = (
        Person.objects.filter(
            kind=PersonKind.EMPLOYEE,
            is_active=True,
            org__kind__in=[OrgKind.BRANCH, OrgKind.GROUP],
            org__branch_type=BranchType.GRASSROOTS,
        )
        .order_by()
        .values_list("pk", "code", "name", "org__path", "org__kind")
    )
    level = RULE_LEVELS[EvaluationRule.BRANCH_PEOPLE]
    pairs = []
    for pk, code, name, path, kind in people.iterator(chunk_size=5000):
        branch = branches.get(path if kind == OrgKind.BRANCH else path[: -OrgNode.steplen])
        if branch is not None:
            pairs.append(
                ProposedPair(
                    EvaluationRule.BRANCH_PEOPLE, level, Party(PERSON, pk, code, name), branch
                )
            )
    return pairs


def _served_member(first: dt.date, last: dt.date) -> list[ProposedPair]:
    rows = (
        Pairing.objects.filter(
            running_during(first, last),
            kind=PairingKind.MEMBER_SERVED,
            person__is_active=True,
            target_person__is_active=True,
        )
        .order_by()
        .values_list(*_side("target_person"), *_side("person"))
        .distinct()
    )
    return _pairs(EvaluationRule.SERVED_MEMBER, rows, PERSON, PERSON)


def is_self_rating(rater: Party, ratee: Party) -> bool:
    """The same person, or the same branch, on both sides (a member rating their own branch is
    not: that is BRANCH_PEOPLE)."""
    return rater.key == ratee.key


def evaluation_proposal(*, year: int) -> Proposal:
    """Return who rates whom in `year` by the rules of R12, without saving anything."""
    first, last = year_bounds(year)
    found = [
        *_visited_leader(first, last),
        *_joint_branch(first, last),
        *_branch_people(),
        *_served_member(first, last),
    ]
    order = {rule: n for n, rule in enumerate(PROPOSED_RULES)}
    found.sort(key=lambda p: (order[p.rule], p.rater.code, p.ratee.kind, p.ratee.code))
    pairs, seen = [], set()
    for pair in found:
        key = (pair.rater.key, pair.ratee.key)
        if key in seen or is_self_rating(pair.rater, pair.ratee):
            continue
        seen.add(key)
        pairs.append(pair)
    return Proposal(year, pairs)
