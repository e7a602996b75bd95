"""The audit log is append-only on PostgreSQL: a trigger refuses UPDATE and DELETE, from the
ORM and from raw SQL alike (CI sets DATABASE_URL; SQLite has no such trigger)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from liaison.models import AuditEvent
from liaison.services.audit import audit_record

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)


@pytest.fixture
def event(db):
    return audit_record(actor=None, action=AuditEvent.Action.LOGIN, summary="a login")


def refused(action) -> None:
    with pytest.raises(InternalError, match="Cannot update or delete"), transaction.atomic():
        action()


def test_the_orm_cannot_change_or_delete_an_audit_row(event):
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten"))
    event.summary = "rewritten"
    refused(lambda: event.save())
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    event.refresh_from_db()
    assert event.summary == "a login"


def test_raw_sql_cannot_change_or_delete_an_audit_row(event):
    table = AuditEvent._meta.db_table

    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    refused(lambda: execute(f"UPDATE {table} SET summary = 'rewritten' WHERE id = %s"))
    refused(lambda: execute(f"DELETE FROM {table} WHERE id = %s"))
    assert AuditEvent.objects.filter(pk=event.pk, summary="a login").exists()


def test_new_rows_are_still_written(event):
    audit_record(actor=None, action=AuditEvent.Action.LOGOUT, summary="a logout")
    assert AuditEvent.objects.count() == 2


def test_a_dba_purges_old_rows_only_with_the_trigger_bypassed(event):
    """The documented purge (README): the app never deletes; a DBA bypasses the trigger for
    one statement."""
    import pgtrigger

    with pgtrigger.ignore("liaison.AuditEvent:audit_append_only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    audit_record(actor=None, action=AuditEvent.Action.LOGOUT, summary="a logout")
    refused(lambda: AuditEvent.objects.all().delete())  # the bypass ended with the block
