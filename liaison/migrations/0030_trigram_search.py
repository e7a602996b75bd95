"""Trigram indexes for the entry lists' search (a substring of the number, title or
description), on PostgreSQL only; migration 0012 indexed the title the same way.

Django's icontains compares UPPER(column::text) LIKE UPPER(pattern): each index holds that
expression, so the planner combines the three (BitmapOr) for the lists' number-or-title-or-
description search. pg_trgm serves patterns of three characters and more. A two-character
query (common in Chinese) has no trigram: PostgreSQL would read the whole trigram index and
recheck every row (slower than a plain scan), so it goes through a bigram index instead: ledger_bigrams() lists
the distinct two-character pieces of a text, and a GIN index over the pieces of number, title
and description finds the rows that contain the query's one piece (pg_bigm is not available;
this is the part of it the search needs). Where pg_trgm cannot be created (a locked-down role),
the migration goes on without the trigram indexes.
"""

from django.db import DatabaseError, migrations, transaction

INDEXES = [
    ("entry_description_trgm", "liaison_entry", "description"),
    ("entry_number_trgm", "liaison_entry", "number"),
]


BIGRAMS = """
CREATE OR REPLACE FUNCTION ledger_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT DISTINCT substr(value, i, 2) FROM generate_series(1, char_length(value) - 1) AS i
    )
$$
"""
# The same expression as liaison.filters.SharesTwoCharacters, which the planner matches.
BIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS entry_text_bigrams ON liaison_entry USING gin "
    "(ledger_bigrams(UPPER(number::text || ' ' || title::text || ' ' || description::text)))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BIGRAMS)
    schema_editor.execute(BIGRAM_INDEX)
    try:
        with transaction.atomic():
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS entry_text_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS ledger_bigrams(text)")
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("liaison", "0029_list_indexes")]

    operations = [migrations.RunPython(create, drop)]
