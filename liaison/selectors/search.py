"""Search from the top bar: an entry number, a person's or unit's name, or words of a title,
within what the user may see (DESIGN.md §3), each kind capped at SEARCH_LIMIT.

A whole entry number goes straight to its entry through the number's unique index. Otherwise
the text is matched as a substring (Chinese has no spaces to split words at): on PostgreSQL a
trigram index on the entry title serves it (migration 0012), and for two characters, which
have no trigram, a bigram index (migration 0030); elsewhere it is a scan of the user's scope,
bounded by the cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liaison import permissions
from liaison.filters import ENTRY_NUMBER, narrow_two_characters, text_lookup
from liaison.models import Entry, Person, Unit, User

SEARCH_LIMIT = 20
SEARCH_MIN_LENGTH = 2  # one Chinese character matches half the ledger
SEARCH_MAX_LENGTH = 100


@dataclass
class SearchResults:
    text: str
    entries: list[Entry] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    exact_entry: Entry | None = None  # a whole number that names an entry the user may see

    @property
    def is_empty(self) -> bool:
        return not (self.entries or self.people or self.units)


def search(*, user: User, text: str) -> SearchResults:
    """Return what `user` may see that matches `text` (stripped, at least SEARCH_MIN_LENGTH
    characters; shorter text finds nothing)."""
    text = (text or "").strip()[:SEARCH_MAX_LENGTH]
    results = SearchResults(text=text)
    if len(text) < SEARCH_MIN_LENGTH:
        return results
    entries = permissions.visible_entries(user).select_related("org")
    if ENTRY_NUMBER.fullmatch(text):
        results.exact_entry = entries.filter(number=text.upper()).first()
        results.entries = [results.exact_entry] if results.exact_entry else []
        return results
    results.entries = list(
        narrow_two_characters(entries, text)
        .filter(**{f"title__{text_lookup(text)}": text})
        .order_by("-pk")[:SEARCH_LIMIT]
    )
    results.people = list(
        permissions.visible_people(user)
        .filter(name__icontains=text)
        .select_related("org", "unit")
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )
    results.units = list(
        permissions.visible_units(user)
        .filter(name__icontains=text)
        .select_related("branch")
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )
    return results
