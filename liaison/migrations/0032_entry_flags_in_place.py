"""The overdue flag written in place (issue 16: the sweep that flags 19,000 entries at once).

The sweep writes is_overdue, overdue_since, version and updated_at. While an index named
one of them (entry_overdue_since, which no query used: the jobs and roll-ups find flagged
entries through the status indexes), each flagged row got a new entry in every one of the
table's thirty indexes, the trigram and bigram ones included (their pieces computed again):
5.6 s of the sweep's 11.5 s at a million entries. Without it, and with a tenth of each page
kept free for the new version of a row (fillfactor 90), PostgreSQL writes the row in place
and touches no index (a heap-only tuple): 0.4 s.

fillfactor applies to pages written from now on; `VACUUM FULL liaison_entry` (or pg_repack)
in a maintenance window makes room in the existing ones (README "Production").
"""

from django.db import migrations


def fillfactor(value: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE liaison_entry SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("liaison", "0031_export_jobs")]

    operations = [
        migrations.RemoveIndex(model_name="entry", name="entry_overdue_since"),
        migrations.RunPython(fillfactor(90), fillfactor(100)),
    ]
