"""The real streaming replica (127.0.0.1:5433, pg_basebackup -R of the primary): a write on the
primary is there within moments, the replica refuses writes, and the dashboard read through the
router really comes from it."""

from __future__ import annotations

import psycopg2
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from ledger_site.db_routers import REPLICA
from liaison.constants import OrgKind, Role
from tests.fixtures.factories import make_org
from tests.scaleout.services import connect, service, wait_for_replay

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_a_write_on_the_primary_streams_to_the_replica_which_refuses_writes():
    replica = connect(service("LEDGER_TEST_REPLICA_URL"))
    try:
        node = make_org(None, OrgKind.COMPANY, "流复制检查党委", code="STREAM")
        wait_for_replay(replica)
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone() == (True,)
            cursor.execute("SELECT name FROM liaison_orgnode WHERE id = %s", [node.pk])
            assert cursor.fetchone() == ("流复制检查党委",)
            with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
                cursor.execute("UPDATE liaison_orgnode SET name = 'x' WHERE id = %s", [node.pk])
    finally:
        replica.close()


@pytest.fixture
def real_replica():
    """Point the app's replica alias at the real replica (it holds the test database too)."""
    where = service("LEDGER_TEST_REPLICA_URL")
    alias = connections[REPLICA]
    mirrored = alias.settings_dict
    alias.close()
    alias.settings_dict = {**mirrored, "HOST": where["host"], "PORT": where["port"]}
    try:
        yield where
    finally:
        alias.close()
        alias.settings_dict = mirrored


@override_settings(DATABASE_REPLICA_READS=True)
def test_the_dashboard_reads_through_the_router_from_the_real_replica(
    world, client_for, real_replica
):
    client = client_for(world.users[Role.PARTY_BUILDING])
    replica = connect(real_replica)
    try:
        wait_for_replay(replica)
    finally:
        replica.close()
    with CaptureQueriesContext(connections[REPLICA]) as reads:
        response = client.get(reverse("feedback:dashboard"), {"period": "2026"})
    assert response.status_code == 200
    assert any("feedback_" in query["sql"] for query in reads.captured_queries)
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        assert cursor.fetchone() == (True, real_replica["port"])
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (False,)
