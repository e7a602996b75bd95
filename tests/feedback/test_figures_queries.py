"""The dashboards' reads cost a fixed number of queries, whatever the number of entries."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from feedback.models import EntryMonthly
from feedback.periods import Period
from feedback.rollups.services import rollups_rebuild
from liaison.constants import Role
from tests.feedback.test_figures import dashboard
from tests.fixtures.factories import build_world, make_entry


def bulk_entries(world, count: int) -> None:
    """`count` entries spread over months, ledgers, levels and kinds, then rolled up."""
    recorders = [
        (world.users[Role.GRASSROOTS_CADRE], world.branch_a),
        (world.users[Role.PARTY_MEMBER], world.group_a),
        (world.users[Role.OFFICE_CADRE], world.office_branch),
        (world.users[Role.PARTY_BUILDING], world.branch_b),
    ]
    kinds = [("problem", "red"), ("suggestion", "orange"), ("basic", "")]
    combos = list(itertools.product(recorders, kinds, range(1, 13)))
    for n in range(count):
        (actor, org), (kind, colour), month = combos[n % len(combos)]
        make_entry(
            actor,
            org=org,
            kind=kind,
            colour=colour,
            recorded_on=dt.date(2026, month, 1 + n % 28),
        )
    rollups_rebuild()


@pytest.mark.parametrize("count", [3, 300])
def test_the_dashboard_reads_as_much_for_few_entries_as_for_many(
    db, count, django_assert_num_queries
):
    """A fixed number of queries whatever the number of entries: the view's own (session,
    user) come on top."""
    world = build_world()
    bulk_entries(world, count)
    user = world.users[Role.PARTY_BUILDING]
    user = type(user).objects.select_related("scope_org").get(pk=user.pk)
    # node; report: figures, visits, pairings, as of; trend; by unit: 3; branch ranking: 2;
    # by colour and kind
    with django_assert_num_queries(12):
        dashboard(user, Period.year(2026))
    assert EntryMonthly.objects.filter(node=world.company).count() > (100 if count > 3 else 0)
