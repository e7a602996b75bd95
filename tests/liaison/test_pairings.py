"""The pairing service: each kind's rules (R13), checked without a query, and no duplicates."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from liaison.constants import PAIRING_RULES, PairingKind
from liaison.models import AuditEvent, Pairing
from liaison.services.pairings import pairing_build, pairing_create
from tests.fixtures.factories import PairingFactory

K = PairingKind

# (kind, liaison side, paired side, the field refused or None) — sides are attributes of the world.
CASES = [
    (K.LEADER_CONTACT, "cadre_person", "department", None),  # a contact point: any unit
    (K.LEADER_CONTACT, "customer_a", "team_a", "person"),  # the liaison person is an employee
    (K.CADRE_TEAM, "cadre_person", "team_a", None),
    (K.CADRE_TEAM, "cadre_person", "team_b", None),  # a supply office is a frontline unit
    (K.CADRE_TEAM, "cadre_person", "department", "target"),  # a department is not
    (K.OFFICE_CADRE_FRONTLINE, "cadre_person", "member_a", None),
    (K.OFFICE_CADRE_FRONTLINE, "cadre_person", "member_b", "target"),  # not frontline
    (K.OFFICE_CADRE_FRONTLINE, "cadre_person", "customer_a", "target"),  # not an employee
    (K.SECRETARY_SPECIAL_NEEDS, "cadre_person", "special_a", None),
    (K.SECRETARY_SPECIAL_NEEDS, "cadre_person", "member_a", "target"),
    (K.MEMBER_SERVED, "member_a", "customer_a", None),  # a customer
    (K.MEMBER_SERVED, "member_a", "special_a", None),  # an employee
    (K.MEMBER_SERVED, "special_a", "customer_a", "person"),  # not a party member
    (K.MEMBER_SERVED, "customer_a", "member_a", "person"),  # not even an employee
    (K.MEMBER_SERVED, "member_a", "member_a", "target"),  # oneself
    (K.BRANCH_JOINT, "office_branch", "branch_a", None),
    (K.BRANCH_JOINT, "branch_a", "branch_b", "org"),  # a grassroots branch as the office side
    (K.BRANCH_JOINT, "office_branch", "group_a", "target"),  # a group is not a branch
    (K.BRANCH_JOINT, "office_branch", "office_branch", "target"),
]


def test_every_kind_has_a_rule():
    assert set(PAIRING_RULES) == set(PairingKind.values)


@pytest.mark.parametrize(("kind", "subject", "target", "refused"), CASES)
def test_pairing_build_applies_the_rules_of_its_kind_without_a_query(
    world, django_assert_num_queries, kind, subject, target, refused
):
    sides = {"subject": getattr(world, subject), "target": getattr(world, target)}
    with django_assert_num_queries(0):
        if refused is None:
            pairing = pairing_build(kind=kind, start_on=dt.date(2026, 1, 1), **sides)
            assert (pairing.subject, pairing.target) == (sides["subject"], sides["target"])
            return
        with pytest.raises(ValidationError) as error:
            pairing_build(kind=kind, start_on=dt.date(2026, 1, 1), **sides)
    assert set(error.value.message_dict) == {refused}
    assert all(error.value.message_dict[refused])


def test_the_rules_read_the_instance_given_not_the_database(world):
    world.member_b.is_frontline = True  # what an import is about to save
    pairing = pairing_build(
        kind=K.OFFICE_CADRE_FRONTLINE,
        subject=world.cadre_person,
        target=world.member_b,
        start_on=dt.date(2026, 1, 1),
    )
    assert pairing.target_person == world.member_b


def test_pairing_create_refuses_a_duplicate_and_leaves_the_transaction_usable(world):
    sides = {"kind": K.MEMBER_SERVED, "subject": world.member_a, "target": world.customer_a}
    first = pairing_create(actor=None, start_on=dt.date(2026, 1, 1), **sides)
    with transaction.atomic():
        with pytest.raises(ValidationError) as error:
            pairing_create(actor=None, start_on=dt.date(2026, 1, 1), note="again", **sides)
        assert error.value.code == "duplicate"
        assert Pairing.objects.get() == first  # the surrounding transaction still works
    later = pairing_create(actor=None, start_on=dt.date(2027, 1, 1), **sides)
    assert list(Pairing.objects.order_by("start_on")) == [first, later]
    assert AuditEvent.objects.filter(object_type="liaison.pairing").count() == 2


def test_the_database_refuses_a_duplicate_whatever_columns_are_empty(world):
    """Unused side columns are NULL; the constraint treats two NULLs as the same."""
    PairingFactory(kind=K.BRANCH_JOINT, org=world.office_branch, target_org=world.branch_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        PairingFactory(kind=K.BRANCH_JOINT, org=world.office_branch, target_org=world.branch_a)
    PairingFactory(kind=K.BRANCH_JOINT, org=world.office_branch, target_org=world.branch_b)
    PairingFactory(kind=K.CADRE_TEAM, person=world.cadre_person, target_unit=world.team_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        PairingFactory(kind=K.CADRE_TEAM, person=world.cadre_person, target_unit=world.team_a)
    assert Pairing.objects.count() == 3


def test_a_subtrees_pairing_counts_read_in_one_prepared_query_are_the_orms(
    world, django_assert_num_queries
):
    """The dashboards' pairing counts (subtree_pairing_statistics, compiled once) are what
    pairing_statistics counts of pairings_in_subtree_q, each side of a pairing reaching the
    subtree, and a pairing only while it runs."""
    from liaison.models import pairings_in_subtree_q
    from liaison.selectors.orgs import pairing_statistics, subtree_pairing_statistics

    january = dt.date(2026, 1, 1)
    for kind, subject, target in [
        (K.CADRE_TEAM, "cadre_person", "team_a"),  # office branch → branch A's team
        (K.CADRE_TEAM, "cadre_person", "team_b"),  # → committee B's
        (K.OFFICE_CADRE_FRONTLINE, "cadre_person", "member_a"),  # → a person of group A
        (K.MEMBER_SERVED, "member_a", "customer_a"),
        (K.BRANCH_JOINT, "office_branch", "branch_a"),  # org to org
    ]:
        pairing_create(
            actor=None,
            kind=kind,
            subject=getattr(world, subject),
            target=getattr(world, target),
            start_on=january,
        )
    ended = pairing_create(
        actor=None,
        kind=K.SECRETARY_SPECIAL_NEEDS,
        subject=world.cadre_person,
        target=world.special_a,
        start_on=january,
    )
    Pairing.objects.filter(pk=ended.pk).update(end_on=dt.date(2026, 6, 30))

    def counts(stats):
        return {(s.kind, s.pairings, s.subjects, s.targets) for s in stats if s.pairings}

    nodes = [world.company, world.committee_a, world.committee_b, world.branch_a, world.group_a]
    for node in nodes:
        for day in (dt.date(2025, 12, 31), dt.date(2026, 3, 1), dt.date(2026, 9, 1)):
            orm = (
                Pairing.objects.filter(pairings_in_subtree_q(node.path))
                if node.depth > 1
                else Pairing.objects.all()
            )
            with django_assert_num_queries(1):
                prepared = subtree_pairing_statistics(node=node, day=day)
            assert prepared == pairing_statistics(pairings=orm, day=day), (node, day)
    in_march = subtree_pairing_statistics(node=world.branch_a, day=dt.date(2026, 3, 1))
    assert counts(in_march) == {
        (K.CADRE_TEAM, 1, 1, 1),
        (K.OFFICE_CADRE_FRONTLINE, 1, 1, 1),
        (K.MEMBER_SERVED, 1, 1, 1),
        (K.BRANCH_JOINT, 1, 1, 1),
        (K.SECRETARY_SPECIAL_NEEDS, 1, 1, 1),
    }
    in_september = subtree_pairing_statistics(node=world.branch_a, day=dt.date(2026, 9, 1))
    assert K.SECRETARY_SPECIAL_NEEDS not in {kind for kind, *_ in counts(in_september)}
    assert counts(subtree_pairing_statistics(node=world.committee_b, day=january)) == {
        (K.CADRE_TEAM, 1, 1, 1)
    }
