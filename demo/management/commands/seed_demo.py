"""`manage.py seed_demo [--scale small|province] [--entries N] [--print-logins] [--yes]`:
the demo company and, with --entries, a year of its ledger (demo.entries).

The work is in demo (see its docstring for what "idempotent" means here); this
command parses the options and prints. Its output is for the operator at the terminal and, like
Django's own commands, is not translated; role names are shown in Chinese and English.

Its logins share a published password, so it writes only when DEBUG is on or when told --yes
(`make run`, which serves with DEBUG off, passes it).
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone, translation

from demo import seed as demo
from demo.attachments import demo_seed_attachments
from demo.entries import BATCH_SIZE, EntrySeedError, demo_seed_entries
from demo.matters import demo_seed_matter
from demo.open_work import (
    demo_close_months,
    demo_emails,
    demo_evaluation,
    demo_open_referrals,
    demo_requests,
    demo_return_visits,
    demo_route_items,
    demo_supervision,
)
from liaison.constants import Role
from liaison.models import OrgNode, User


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "Load an idempotent demo company shaped like the Jilin and Xiaoshan articles, with one "
        f"login per role (password {demo.DEMO_PASSWORD}). Running it again creates nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=demo.SCALES,
            default="small",
            help="small: a few committees and branches; province: 15 committees, 122 branches, "
            "2,000+ members (a superset of small). Default: small.",
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="Print the demo logins; load the demo first only if it is not there yet.",
        )
        parser.add_argument(
            "--entries",
            type=int,
            metavar="N",
            help="Also top the ledger up to N entries over the last 12 months, in every state, "
            "with visits, referrals, replies and ratings (inserted in bulk: a million takes "
            "minutes on PostgreSQL). Again with the same N adds nothing; a larger N adds the "
            "difference.",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Load the demo although DEBUG is off: this database is meant for a demo.",
        )

    def handle(self, *args, scale: str, print_logins: bool, yes: bool, entries=None, **options):
        try:
            if not (print_logins and demo.demo_is_seeded()):
                if not (settings.DEBUG or yes):
                    raise CommandError(
                        "seed_demo creates logins with a published password (such as a "
                        f"superuser admin / {demo.DEMO_PASSWORD}), so it runs only on a "
                        "development database (DJANGO_DEBUG=1). If this database is meant for "
                        "a demo, run it again with --yes."
                    )
                self.print_result(demo.demo_seed(scale=scale))
                self.complete_master_data()
            if entries is not None:
                self.seed_entries(entries)
        except (demo.DemoSeedError, EntrySeedError, ValidationError) as error:
            raise CommandError(f"seed_demo: {error}") from error
        if print_logins:
            self.print_logins(demo.demo_logins())
        else:
            usernames = ", ".join(login.username for login in demo.demo_logins())
            self.stdout.write(
                f"Logins: {usernames}; password {demo.DEMO_PASSWORD} "
                "(seed_demo --print-logins shows the table)."
            )

    def complete_master_data(self) -> None:
        root = OrgNode.objects.filter(depth=1).first()
        if root is None:
            return
        routed = demo_route_items(root.path)
        if routed:
            self.stdout.write(f"Service items: {routed} routed to their departments.")
        usernames = [login.username for login in demo.demo_logins()]
        demo_emails(
            User.objects.filter(Q(username__in=usernames) | Q(person__code__startswith="DEMO"))
        )

    def seed_entries(self, count: int) -> None:
        if count < 0:
            raise CommandError("seed_demo: --entries must be 0 or more.")

        def progress(done: int, total: int) -> None:
            if done == total or done % 50_000 < BATCH_SIZE:
                self.stdout.write(f"  {done:>9,} of {total:,} entries written")

        result = demo_seed_entries(count=count, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger: {result.created:,} entries created, {result.total:,} in all "
                f"({result.counts['visits']:,} visits, {result.counts['events']:,} events, "
                f"{result.counts['ratings']:,} ratings; {result.accounts_created:,} recording "
                f"accounts created) in {result.seconds:.1f} s."
            )
        )
        matter = demo_seed_matter()
        if matter is not None:
            self.stdout.write(
                f"Matter of the month: {matter.title} ({matter.entries.count()} entries)."
            )
        root = OrgNode.objects.filter(depth=1).first()
        referred = demo_open_referrals(root.path) if root is not None else 0
        if referred:
            self.stdout.write(f"Referrals waiting at the department handler: {referred}.")
        secretary = User.objects.filter(username="shuji", scope_org__isnull=False).first()
        issuer = User.objects.filter(username="dangjian").first()
        if secretary is not None and issuer is not None:
            asked = demo_requests(secretary)
            noticed = demo_supervision(issuer, secretary.scope_org.path)
            revisited = demo_return_visits(secretary)
            if revisited:
                self.stdout.write(f"Return visits (回访): {revisited}.")
            if asked or noticed:
                self.stdout.write(
                    f"Waiting for the secretary: {asked} requests; supervision notices: {noticed}."
                )
        self.complete_master_data()  # the recording accounts made for the ledger too
        if issuer is not None:
            closed = demo_close_months(issuer, timezone.localdate())
            if closed:
                self.stdout.write(f"Months closed (月结): {closed[0]} to {closed[-1]}.")
            year = demo_evaluation(issuer, timezone.localdate())
            if year is not None:
                self.stdout.write(f"Reverse evaluation (反向测评) {year}: answered and closed.")
        attached = demo_seed_attachments()
        if attached:
            self.stdout.write(self.style.SUCCESS(f"Attachments: {attached} photos and files."))

    def print_result(self, result: demo.DemoSeedResult) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo company, {result.scale} scale:"))
        for name, total in result.totals.items():
            self.stdout.write(f"  {name:<10} {result.created[name]:>6} created, {total:>6} in all")
        self.stdout.write("Pairings running today, counted as in the Jilin article:")
        with translation.override("en"):
            for stat in result.pairing_stats:
                self.stdout.write(
                    f"  {stat.subjects} {stat.subject_noun} linked {stat.targets} "
                    f"{stat.target_noun} ({stat.pairings} pairings)"
                )

    def print_logins(self, logins: list[demo.DemoLogin]) -> None:
        with translation.override("zh-hans"):
            zh = {login.role: str(Role(login.role).label) for login in logins}
        with translation.override("en"):
            en = {login.role: str(Role(login.role).label) for login in logins}
        rows = [("username", "role", "name", "scope")] + [
            (
                login.username,
                f"{zh[login.role]} / {en[login.role]}",
                login.name,
                login.scope,
            )
            for login in logins
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        self.stdout.write(self.style.SUCCESS(f"Demo logins, password {demo.DEMO_PASSWORD}:"))
        for row in rows:
            cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]))
