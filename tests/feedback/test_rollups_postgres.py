"""Two roll-up jobs at once, on PostgreSQL only (CI sets DATABASE_URL): SQLite does not lock
rows. The second waits for the first's lock on the watermark, then finds the entry recorded
meanwhile; the result equals a rebuild."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from feedback.services.rollups import rollups_rebuild, rollups_refresh
from liaison.constants import ChannelScope, Role
from liaison.models import Channel, ServiceCategory, ServiceItem
from tests.fixtures.factories import build_world, make_entry
from tests.fixtures.rollups import rollups_snapshot
from tests.fixtures.threads import in_thread

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)


def test_a_second_refresh_waits_for_the_first_and_misses_nothing(transactional_db):
    world = build_world()
    # A transactional test starts from a flushed database: no seeded taxonomies.
    Channel.objects.get_or_create(name="走访", defaults={"scope": ChannelScope.INTERNAL})
    category, _created = ServiceCategory.objects.get_or_create(name="安全生产")
    ServiceItem.objects.get_or_create(category=category, name="用电安全")
    cadre = world.users[Role.GRASSROOTS_CADRE]
    make_entry(cadre, informant=world.special_a, recorded_on=dt.date(2026, 1, 5))
    rollups_refresh()  # the first run rebuilds

    holding, release = threading.Event(), threading.Event()

    def refresh_and_hold():
        with transaction.atomic():
            result = rollups_refresh()
            holding.set()
            release.wait(30)
        return result

    first, first_outcome = in_thread(refresh_and_hold)
    assert holding.wait(30)
    make_entry(cadre, informant=world.special_a, recorded_on=dt.date(2026, 2, 2))
    second, second_outcome = in_thread(rollups_refresh)
    second.join(1)
    try:
        assert second.is_alive()  # waiting for the watermark's lock
    finally:
        release.set()
        first.join(30)
        second.join(30)
    assert not any(isinstance(outcome, Exception) for outcome in first_outcome + second_outcome)
    assert second_outcome[0]["events"] > 0
    refreshed = rollups_snapshot()
    rollups_rebuild()
    assert rollups_snapshot() == refreshed
    assert ("EntryMonthly", world.company.pk, dt.date(2026, 2, 1), "grassroots_branch") in {
        key[:4] for key in refreshed
    }
