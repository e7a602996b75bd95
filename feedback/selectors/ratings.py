"""Reads of ratings and of the informant's signed link, scoped by the caller (the entry was
fetched for the user, or the informant holds the link's token)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from django.utils import timezone

from feedback.constants import rating_link_valid_days
from feedback.models import Rating, RatingLink
from liaison.constants import ClosedReason, EntryStatus
from liaison.models import Entry

# What a token looks like: 43 base64url characters (an HMAC-SHA256). Anything else is refused
# before the database is asked.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def entry_ratings(*, entry: Entry) -> list[Rating]:
    """Return the ratings of an entry, one per round, newest first."""
    return list(entry.ratings.prefetch_related("recorded_by").order_by("-round", "-pk"))


class LinkState(enum.StrEnum):
    """Whether a signed link can rate now, and if not, why (the public page says so)."""

    do_not_call_in_templates = enum.nonmember(True)  # compared with in templates

    USABLE = "usable"
    FORGED = "forged"  # no such link (or a mistyped one)
    NOT_REPLIED = "not_replied"  # its round has no reply yet (a referral sheet's QR)
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"  # replaced by a newer link
    RATED = "rated"  # rated otherwise, on a return visit
    CLOSED = "closed"  # no longer awaiting a rating: closed as not rated, or void


@dataclass(frozen=True)
class LinkLookup:
    state: LinkState
    link: RatingLink | None = None
    expires_at: dt.datetime | None = None

    @property
    def entry(self) -> Entry | None:
        return self.link.entry if self.link else None


def rating_link_current(*, entry: Entry) -> RatingLink | None:
    """Return the live link of the entry's current round, if it has one."""
    link = RatingLink.objects.filter(
        entry=entry, round=entry.reopen_count, revoked_at__isnull=True
    ).first()
    if link is not None:
        link.entry = entry  # spare the query: it is this very entry
    return link


def rating_link_expires_at(*, link: RatingLink) -> dt.datetime | None:
    """Return when the link stops working: `rating_link_valid_days()` days after the reply of
    its round; None while that round has no reply (or is over)."""
    entry = link.entry
    if link.round != entry.reopen_count or entry.status != EntryStatus.REPLIED:
        return None
    if entry.replied_at is None:  # never: a reply sets it
        return None
    return entry.replied_at + dt.timedelta(days=rating_link_valid_days())


def rating_link_state(*, link: RatingLink, now: dt.datetime | None = None) -> LinkState:
    """Return whether the link can record a rating now, and if not, why."""
    entry = link.entry
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if link.used_at is not None:
        return LinkState.USED
    if link.round < entry.reopen_count:  # only a rating reopens: its round was rated
        return LinkState.RATED
    if entry.status == EntryStatus.CLOSED:
        rated = entry.closed_reason == ClosedReason.RATED
        return LinkState.RATED if rated else LinkState.CLOSED
    if entry.status == EntryStatus.VOID:
        return LinkState.CLOSED
    expires_at = rating_link_expires_at(link=link)
    if expires_at is None:  # its round has no reply
        return LinkState.NOT_REPLIED
    if (now or timezone.now()) >= expires_at:
        return LinkState.EXPIRED
    return LinkState.USABLE


def rating_link_lookup(*, token: str) -> LinkLookup:
    """Find the link a token opens (by the token's hash: nothing secret is compared) with its
    entry, the entry's owner and org and the link's rating, in one query, and its state."""
    if not TOKEN_PATTERN.fullmatch(token):
        return LinkLookup(LinkState.FORGED)
    link = (
        RatingLink.objects.select_related("entry__owner", "entry__org", "rating")
        .filter(token_hash=RatingLink.hash_of(token))
        .first()
    )
    if link is None:
        return LinkLookup(LinkState.FORGED)
    return LinkLookup(rating_link_state(link=link), link, rating_link_expires_at(link=link))
