"""Trigram indexes for the top bar's search (a substring of an entry's title or a person's
name), on PostgreSQL only; elsewhere the search is a bounded scan of the user's scope.

pg_trgm is created when the database user may; where it may not (a locked-down production
role), the migration goes on without the indexes and the README says how a DBA adds them.
"""

from django.db import DatabaseError, migrations, transaction

INDEXES = [
    ("entry_title_trgm", "liaison_entry", "title"),
    ("person_name_trgm", "liaison_person", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            # icontains compares UPPER(column::text): the index holds that same expression.
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("liaison", "0011_user_email_digest")]

    operations = [migrations.RunPython(create, drop)]
