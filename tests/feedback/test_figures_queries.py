"""The dashboards' reads cost a fixed number of queries, whatever the number of entries."""

from __future__ import annotations

import pytest

from feedback.models import EntryMonthly
from feedback.periods import Period
from liaison.constants import Role
from tests.fixtures.factories import build_world
from tests.fixtures.figures import bulk_entries, dashboard


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
    # node; report: figures, visits, pairings, as of, the departments' referrals (R17, the
    # company's), closed months and late adjustments (2, R24); trend; by unit: 3; branch
    # ranking: 2; by colour and kind
    with django_assert_num_queries(15):
        dashboard(user, Period.year(2026))
    assert EntryMonthly.objects.filter(node=world.company).count() > (100 if count > 3 else 0)
