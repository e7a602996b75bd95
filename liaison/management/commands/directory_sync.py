"""Bring the directory accounts in line with the directory (LDAP) now, as the beat job does.

python manage.py directory_sync         → checked 12, deactivated 1, updated 0
python manage.py directory_sync --json

Accounts gone from the directory, or in no group mapped to a role, are deactivated (audited);
the others get the directory's role and scope. Exits non-zero, changing nothing, when the
directory cannot be read.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from liaison.directory import DirectoryUnavailable, directory_enabled
from liaison.services.directory import directory_sync


class Command(BaseCommand):
    help = "Deactivate the directory accounts the directory no longer gives access; update roles."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        if not directory_enabled():
            raise CommandError("LDAP_URL is not set: there is no directory to sync with.")
        try:
            result = directory_sync()
        except DirectoryUnavailable as error:
            raise CommandError(f"The directory cannot be read; nothing changed. {error}") from error
        if options["json"]:
            self.stdout.write(json.dumps(result, sort_keys=True))
        else:
            self.stdout.write(", ".join(f"{key} {value}" for key, value in result.items()))
