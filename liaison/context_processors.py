"""The navigation each role sees (one place for the menu)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison import permissions
from liaison.selectors.entries_list import ENTRY_LIST_TITLES, EntryScope, entry_lists_for
from liaison.selectors.reviews import reads_reviews
from liaison.services.visits import can_log_visit


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
    if permissions.scope_path(user) is None:
        # No subtree: the org tree would be empty; people and pairings still show their own.
        items = [item for item in items if item[0] != "org"]
    for scope in entry_lists_for(user):
        url = reverse(f"liaison:ledger_{scope}")
        items.append((f"ledger_{scope}", ENTRY_LIST_TITLES[scope], url))
    if reads_reviews(user):
        items.append(("reviews", _("Monthly review"), reverse("liaison:review_list")))
    if permissions.reads_supervision_board(user):
        items.append(("supervision", _("Supervision board"), reverse("liaison:supervision_board")))
    if can_log_visit(user):
        items.append(("visit", _("Log a visit"), reverse("liaison:visit_create")))
    # Master-data upkeep sits under one "Maintenance" menu, so the bar fits a laptop's width.
    upkeep = []
    if permissions.can_maintain_master_data(user):
        upkeep.append(("imports", _("Import"), reverse("liaison:import_start")))
        upkeep.append(("calendar", _("Calendar"), reverse("liaison:calendar")))
    if user.is_staff:
        upkeep.append(("admin", _("Administration"), reverse("admin:index")))
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else ""
    active = next((key for key, prefix in _ACTIVE_PREFIXES if url_name.startswith(prefix)), "")
    return {
        "nav_items": items,
        "nav_upkeep": upkeep,
        "active_nav": active,
        # One COUNT on the (recipient, read_at) index, only if the page shows the bell.
        "unread_notifications": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }


_ACTIVE_PREFIXES = (
    ("home", "home"),
    ("org", "org_"),
    ("people", "person_"),
    ("pairings", "pairing_"),
    ("imports", "import_"),
    ("visit", "visit_"),
    ("calendar", "calendar"),
    ("reviews", "review_"),
    ("supervision", "supervision_"),
    ("notifications", "notification_"),
    *((f"ledger_{scope}", f"ledger_{scope}") for scope in EntryScope),
)
