"""The navigation each role sees (one place for the menu)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison import permissions
from liaison.constants import EntryScope
from liaison.permissions import (
    can_log_visit,
    can_manage_security,
    entry_lists_for,
    reads_reviews,
)
from liaison.selectors.entries_list import ENTRY_LIST_TITLES

# Shorter names for the menu than the pages' titles, where a title is long in English (the bar
# holds every role's menu on one line at 1366 px in English); in Chinese they are the titles.
MENU_LIST_LABELS = {
    **ENTRY_LIST_TITLES,
    EntryScope.ALL: pgettext_lazy("menu", "All entries"),
}

# Menu items other apps add (feedback depends on liaison, never the reverse): key, label, URL
# name, whether the user has it, and the prefix of the URL names that make it the active one.
_REGISTERED: list[tuple[str, object, str, Callable, str]] = []


def nav_register(key: str, label, url_name: str, allowed: Callable, active_prefix: str) -> None:
    """Add a menu item after the ledger's own (call from an AppConfig.ready)."""
    if key not in [item[0] for item in _REGISTERED]:
        _REGISTERED.append((key, label, url_name, allowed, active_prefix))


@dataclass(frozen=True)
class Unread:
    """The bell's count of unread notifications, counted up to one more than it shows ("99+"):
    after a sweep flags thousands of entries, the party-building department has thousands
    unread, and counting them all read as many index entries on every page (16,000: 3–5 ms at
    a million entries)."""

    SHOWN_MAX: ClassVar[int] = 99
    counted: int

    def __bool__(self) -> bool:
        return self.counted > 0

    @property
    def more(self) -> bool:
        """More unread than the bell shows."""
        return self.counted > self.SHOWN_MAX

    @property
    def shown(self) -> str:
        return f"{self.SHOWN_MAX}+" if self.more else str(self.counted)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        ("home", _("Home"), reverse("home")),
        ("org", _("Org tree"), reverse("liaison:org_tree")),
        ("people", _("People"), reverse("liaison:person_list")),
        ("pairings", _("Pairings"), reverse("liaison:pairing_list")),
    ]
    if not permissions.reads_ledger(user):
        # The security and audit administrators read no ledger (三员分立): their own work only.
        items = items[:1]
    elif permissions.scope_path(user) is None:
        # No subtree: the org tree would be empty; people and pairings still show their own.
        items = [item for item in items if item[0] != "org"]
    if permissions.reads_audit_log(user):
        items.append(("audit", _("Audit log"), reverse("liaison:audit_log")))
    for scope in entry_lists_for(user):
        url = reverse(f"liaison:ledger_{scope}")
        items.append((f"ledger_{scope}", MENU_LIST_LABELS[scope], url))
    if reads_reviews(user):
        items.append(("reviews", pgettext_lazy("menu", "Reviews"), reverse("liaison:review_list")))
    if permissions.reads_supervision_board(user):
        board = pgettext_lazy("menu", "Supervision")
        items.append(("supervision", board, reverse("liaison:supervision_board")))
    for key, label, url_name, allowed, _prefix in _REGISTERED:
        if allowed(user):
            items.append((key, label, reverse(url_name)))
    if can_log_visit(user):
        items.append(("visit", _("Log a visit"), reverse("liaison:visit_create")))
    # Master-data upkeep sits under one menu (系统维护, "Tools"), so the bar fits a laptop's width.
    upkeep = []
    if permissions.can_maintain_master_data(user):
        upkeep.append(("imports", _("Import"), reverse("liaison:import_start")))
        upkeep.append(("calendar", _("Calendar"), reverse("liaison:calendar")))
        upkeep.append(("escalation", _("Escalation ladder"), reverse("liaison:escalation")))
    if permissions.can_edit_knowledge(user):
        # Its other readers open it from the reply and plan forms' template picker: the bar
        # has no room for one more item at 1366 px in English.
        upkeep.append(("knowledge", _("Knowledge base"), reverse("liaison:knowledge_list")))
    if can_manage_security(user):
        upkeep.append(("locks", _("Login locks"), reverse("liaison:lock_list")))
    if user.is_staff:
        upkeep.append(("admin", _("Administration"), reverse("admin:index")))
    match = getattr(request, "resolver_match", None)
    # An unnamed route (the admin's catch-all, behind its 404 page) has no URL name.
    url_name = (match.url_name if match else None) or ""
    prefixes = [*_ACTIVE_PREFIXES, *((item[0], item[4]) for item in _REGISTERED)]
    active = next((key for key, prefix in prefixes if url_name.startswith(prefix)), "")
    return {
        "nav_items": items,
        "nav_upkeep": upkeep,
        "active_nav": active,
        # One COUNT on the (recipient, read_at) index, only if the page shows the bell, of at
        # most one more than the bell shows.
        "unread_notifications": lambda: Unread(
            user.notifications.filter(read_at__isnull=True)
            .order_by()[: Unread.SHOWN_MAX + 1]
            .count()
        ),
    }


_ACTIVE_PREFIXES = (
    ("home", "home"),
    ("audit", "audit_log"),
    ("org", "org_"),
    ("people", "person_"),
    ("pairings", "pairing_"),
    ("imports", "import_"),
    ("visit", "visit_"),
    ("calendar", "calendar"),
    ("escalation", "escalation"),
    ("knowledge", "knowledge_"),
    ("locks", "lock_"),
    ("reviews", "review_"),
    ("supervision", "supervision_"),
    ("notifications", "notification_"),
    *((f"ledger_{scope}", f"ledger_{scope}") for scope in EntryScope),
)
