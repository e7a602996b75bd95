"""The database router (ledger_site.db_routers): the dashboard, the exports and ledger_report
read from the replica; writes, migrations, every other read and the reads of a user who has
just written stay on the primary; without a replica everything is the default database.

Here the replica is a mirror of the test database (ledger_site.settings_test): a second
connection, so a read that went there shows in that connection's queries. That real streaming
works is tests/scaleout/test_streaming_replica.py's."""

from __future__ import annotations

import json
import time

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import ResolverMatch, reverse
from django.utils import timezone

from ledger_site.celery import app as celery_app
from ledger_site.db_routers import (
    REPLICA,
    WROTE_AT_KEY,
    PrimaryReplicaRouter,
    ReplicaReadsMiddleware,
    primary_reads,
    read_alias,
    replica_reads,
)
from liaison.constants import Role
from liaison.models import OrgNode
from tests.scaleout.services import run_python

DASHBOARD = reverse("feedback:dashboard")
both_databases = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _settings(env: dict[str, str], expression: str) -> str:
    result = run_python(env, f"import ledger_site.settings as s; print({expression})")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SINGLE = """
import django
django.setup()
from django.db import router
from ledger_site.db_routers import replica_reads
from liaison.models import OrgNode
with replica_reads():
    print(router.db_for_read(OrgNode), router.db_for_write(OrgNode))
"""


def test_without_a_replica_there_is_one_database_and_no_replica_reads():
    assert _settings({}, "sorted(s.DATABASES), s.DATABASE_REPLICA_READS") == "['default'] False"
    # The router leaves every choice to Django: the default database, even in a block.
    result = run_python({"DJANGO_SETTINGS_MODULE": "ledger_site.settings"}, SINGLE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["default", "default"]


def test_the_replica_and_the_pooler_come_from_the_environment():
    env = {
        "DATABASE_URL": "postgres://ledger@127.0.0.1:6432/ledger",
        "DATABASE_REPLICA_URL": "postgres://ledger@127.0.0.1:6433/ledger_replica",
        "DATABASE_POOLER": "pgbouncer",
    }
    shown = _settings(
        env,
        "sorted(s.DATABASES), s.DATABASE_REPLICA_READS,"
        " s.DATABASES['replica']['NAME'], s.DATABASES['replica']['PORT'],"
        " [s.DATABASES[a]['DISABLE_SERVER_SIDE_CURSORS'] for a in sorted(s.DATABASES)],"
        " s.DATABASES['replica']['TEST']",
    )
    assert shown == (
        "['default', 'replica'] True ledger_replica 6433 [True, True] {'MIRROR': 'default'}"
    )
    refused = run_python({"DATABASE_POOLER": "pgpool"}, "import ledger_site.settings")
    assert refused.returncode != 0 and "DATABASE_POOLER" in refused.stderr


@both_databases
@override_settings(DATABASE_REPLICA_READS=True)
def test_reads_go_to_the_replica_only_inside_a_block_that_has_not_written():
    router = PrimaryReplicaRouter()
    assert router.db_for_read(OrgNode) == DEFAULT_DB_ALIAS  # outside a block
    with replica_reads():
        assert router.db_for_read(OrgNode) == REPLICA
        with primary_reads():  # a user who has just written
            assert router.db_for_read(OrgNode) == DEFAULT_DB_ALIAS
        assert router.db_for_write(OrgNode) == DEFAULT_DB_ALIAS  # writes: always the primary
        assert read_alias() == DEFAULT_DB_ALIAS  # the block wrote: it must see its write
    with replica_reads(enabled=False):
        assert router.db_for_read(OrgNode) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "liaison") is True
    assert router.allow_migrate(REPLICA, "liaison") is False


@both_databases
def test_with_the_switch_off_a_block_reads_from_the_primary():
    with replica_reads():
        assert PrimaryReplicaRouter().db_for_read(OrgNode) == DEFAULT_DB_ALIAS


def _queries(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


@both_databases
@override_settings(DATABASE_REPLICA_READS=True, REPLICA_MAX_LAG=60)
def test_the_dashboard_reads_from_the_replica_until_its_user_writes(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    with _queries(REPLICA) as replica, _queries(DEFAULT_DB_ALIAS) as primary:
        response = client.get(DASHBOARD, {"period": "2026"})
    assert response.status_code == 200
    assert any("feedback_" in query["sql"] for query in replica.captured_queries)
    # The pairing counts too, a prepared query (common.prepared) routed as the ORM's are.
    assert any("liaison_pairing" in query["sql"] for query in replica.captured_queries)
    # The primary gave the session and the user (the middleware's, before the page) only.
    assert not any("feedback_" in query["sql"] for query in primary.captured_queries)
    assert not any("liaison_pairing" in query["sql"] for query in primary.captured_queries)
    assert WROTE_AT_KEY not in client.session

    # A write of this user (any unsafe request): for REPLICA_MAX_LAG seconds their pages read
    # from the primary, which has the write the replica may not have yet.
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert time.time() - client.session[WROTE_AT_KEY] < 60
    with _queries(REPLICA) as replica, _queries(DEFAULT_DB_ALIAS) as primary:
        response = client.get(DASHBOARD, {"period": "2026"})
    assert response.status_code == 200
    assert replica.captured_queries == []
    assert any("feedback_" in query["sql"] for query in primary.captured_queries)
    assert any("liaison_pairing" in query["sql"] for query in primary.captured_queries)

    # Past the lag, the replica again.
    session = client.session
    session[WROTE_AT_KEY] = time.time() - 61
    session.save()
    with _queries(REPLICA) as replica:
        assert client.get(DASHBOARD, {"period": "2026"}).status_code == 200
    assert any("feedback_" in query["sql"] for query in replica.captured_queries)


@both_databases
@override_settings(DATABASE_REPLICA_READS=True)
def test_other_pages_and_a_users_reads_never_touch_the_replica(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    with _queries(REPLICA) as replica:
        assert client.get(reverse("home")).status_code == 200
    assert replica.captured_queries == []


@both_databases
@override_settings(DATABASE_REPLICA_READS=True)
def test_an_export_reads_from_the_replica(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    with _queries(REPLICA) as replica:
        response = client.get(reverse("feedback:dashboard_export"), {"period": "2026"})
    assert response.status_code == 200
    assert any("feedback_" in query["sql"] for query in replica.captured_queries)


@both_databases
@override_settings(DATABASE_REPLICA_READS=True)
def test_ledger_report_reads_from_the_replica(world, capsys):
    with _queries(REPLICA) as replica, _queries(DEFAULT_DB_ALIAS) as primary:
        call_command("ledger_report", "--from", "2025-01-01", "--to", "2025-12-31", "--json")
    assert json.loads(capsys.readouterr().out)
    assert any("feedback_" in query["sql"] for query in replica.captured_queries)
    assert not any("feedback_" in query["sql"] for query in primary.captured_queries)


@both_databases
@override_settings(DATABASE_REPLICA_READS=True)
def test_a_streamed_body_made_after_the_view_reads_from_the_replica_too(rf):
    """A streamed export queries while the server sends it, after the view returned."""

    def view(request):
        return StreamingHttpResponse(read_alias() for _chunk in range(2))

    def handler(request):
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware = ReplicaReadsMiddleware(handler)
    request = rf.get("/feedback/dashboard/export.xlsx")
    request.session = {}
    request.resolver_match = ResolverMatch(
        view, (), {}, url_name="dashboard_export", app_names=["feedback"], namespaces=["feedback"]
    )
    response = middleware(request)
    assert read_alias() == DEFAULT_DB_ALIAS  # the request's own block is closed
    assert b"".join(response.streaming_content) == b"replicareplica"
    request = rf.get("/")
    request.session = {}
    request.resolver_match = ResolverMatch(
        view, (), {}, url_name="home", app_names=["liaison"], namespaces=["liaison"]
    )
    assert b"".join(middleware(request).streaming_content) == b"defaultdefault"


@both_databases
def test_the_tasks_named_in_the_setting_read_from_the_replica():
    @celery_app.task(name="ledger.test_replica_probe")
    def probe() -> str:
        return read_alias()

    with override_settings(DATABASE_REPLICA_READS=True, DATABASE_REPLICA_TASKS=[]):
        assert probe.apply().get() == DEFAULT_DB_ALIAS
    with override_settings(
        DATABASE_REPLICA_READS=True, DATABASE_REPLICA_TASKS=["ledger.test_replica_probe"]
    ):
        assert probe.apply().get() == REPLICA
        assert read_alias() == DEFAULT_DB_ALIAS  # the task's block ended with it


@both_databases
@override_settings(DATABASE_REPLICA_READS=True)
def test_ledger_report_to_now_reads_the_roll_ups_it_refreshed_from_the_primary(world, capsys):
    """The month under way: the report refreshes the roll-ups (a write), then must read them
    where they were written."""
    today = timezone.localdate()
    with _queries(REPLICA) as replica, _queries(DEFAULT_DB_ALIAS) as primary:
        call_command("ledger_report", "--from", f"{today:%Y-%m}-01", "--to", f"{today}", "--json")
    assert json.loads(capsys.readouterr().out)
    assert not any("feedback_" in query["sql"] for query in replica.captured_queries)
    assert any("feedback_entrymonthly" in query["sql"] for query in primary.captured_queries)
