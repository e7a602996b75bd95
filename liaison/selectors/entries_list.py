"""The entry lists: the branch ledger, my entries, the department inbox and all in scope.

Every list lies within `permissions.visible_entries(user)`: "all" is that set, and each other
list is one of its conditions (see entry_scope_queryset); the filters then narrow the list.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from common.expressions import InValues
from liaison import permissions
from liaison.constants import EntryScope
from liaison.filters import EntryFilter
from liaison.models import Entry, User

# The page title of each list.
ENTRY_LIST_TITLES = {
    EntryScope.BRANCH: _("Branch ledger"),
    EntryScope.MINE: _("My entries"),
    EntryScope.DEPARTMENT: _("Department inbox"),
    EntryScope.ALL: _("All entries in scope"),
}

# What the table shows of each row's relations (one join each, no query per row).
TABLE_RELATIONS = ("org", "owner", "department")


def entry_scope_queryset(*, user: User, scope: str) -> QuerySet[Entry]:
    """Return the entries of one list, before filters, unordered (none if the user lacks it).

    "All" is visible_entries itself. Each narrower list is a part of visible_entries by its own
    rule, which is one of that function's conditions: the secretary's branch is the subtree of
    visible_orgs, "mine" the entries the user owns, the inbox the referrals to the handler's
    department (tests check every list against visible_entries for every role). They do not
    filter visible_entries again: its OR of four conditions hides the list's own index from
    PostgreSQL's planner, which then takes a branch's 8,000 entries for 60 and joins them all
    before sorting (measured on a million entries: 38 ms against 15 ms).

    The department inbox reads the ids of the entries its department co-handles first (a few
    hundred a year) and gives them to its query as one array. As `IN (subquery)` the condition
    was a filter PostgreSQL could only test row by row along the date index or the
    department's: filtered to overdue, to a colour or to a text, the inbox read the department's
    whole history (0.2–0.5 s at a million entries). As an array (InValues) it is an index
    condition the planner ORs with the department's index, and on the unfiltered walk in date
    order a hashed lookup, as the subquery was.
    """
    return _scoped(user, scope)[0]


def entry_scope_parts(*, user: User, scope: str) -> list[Q]:
    """The parts a list is the union of, where reading them one by one is quicker than reading
    the list's own condition, else none. The parts never overlap.

    Only the department inbox has them, when the department co-handles entries: the entries it
    leads, and those it co-handles that another department leads (R18). No index serves their
    OR in a list's order: at a million entries the page walked the company's date index past
    8,500 entries of other departments to find its 25, and the count read the department's
    whole history from the table (10 ms each). Each part alone has its index: the led part
    reads the department's index in the list's order without the table, and the co-handled
    part is a few hundred entries read by id. EntryTable counts and pages a list from its parts.
    """
    return _scoped(user, scope)[1]


def _scoped(user: User, scope: str) -> tuple[QuerySet[Entry], list[Q]]:
    """The list's entries before filters, and the parts they are the union of, if any."""
    if not permissions.has_entry_list(user, scope):
        return Entry.objects.none(), []
    if scope == EntryScope.BRANCH:
        return Entry.objects.filter(org__in=permissions.visible_orgs(user)), []
    if scope == EntryScope.MINE:
        return Entry.objects.filter(owner_id=user.pk), []
    if scope == EntryScope.DEPARTMENT and user.department_id:  # led, or co-handled (R18)
        led = Q(department_id=user.department_id)
        # The co-handled ids first, as one array (see entry_scope_queryset).
        cohandled = permissions.cohandled_entries(user.department_id)
        helped = list(cohandled.values_list("entry_id", flat=True))
        if not helped:
            return Entry.objects.filter(led), []
        helped_part = Q(InValues("pk", helped))
        return Entry.objects.filter(led | helped_part), [led, helped_part & ~led]
    return permissions.visible_entries(user), []


def entry_list(
    *, user: User, filters: dict | None, scope: str, today: dt.date | None = None
) -> EntryFilter:
    """Return the bound filter over one of the user's entry lists (call has_entry_list first).

    The table sorts and paginates it: one count and one page query, or, for a list in parts
    (entry_scope_parts), a count and a read of ids for each part, then the page by id.
    """
    scoped, parts = _scoped(user, scope)
    return EntryFilter(
        filters,
        queryset=scoped.select_related(*TABLE_RELATIONS),
        user=user,
        today=today,
        parts=[Entry.objects.filter(part).select_related(*TABLE_RELATIONS) for part in parts],
    )
