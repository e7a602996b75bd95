"""Every read of the feedback app, scoped by the caller (the entry was fetched for the user)."""

from __future__ import annotations

from feedback.models import Rating
from liaison.models import Entry


def entry_ratings(*, entry: Entry) -> list[Rating]:
    """Return the ratings of an entry, one per round, newest first."""
    return list(entry.ratings.select_related("recorded_by").order_by("-round", "-pk"))
