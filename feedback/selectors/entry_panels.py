"""What feedback adds to liaison's entry page and printed sheets (registered in apps.py, through
feedback.views.ratings): the ratings of the entry, and on the owner side the informant's link
as a card with its QR code. Pure reads: the link is given by the caller."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.urls import reverse

from feedback.models import RatingLink
from feedback.selectors.ratings import entry_ratings, rating_link_expires_at
from liaison.models import Entry
from liaison.selectors.entries import EntryPanel


@dataclass(frozen=True)
class LinkCard:
    """What the owner's pages show of the informant's link (made absolute in the template)."""

    link: RatingLink
    path: str
    expires_at: dt.datetime | None  # None until the round is replied


def link_card(*, link: RatingLink | None) -> LinkCard | None:
    """Return the card of the informant's link (None without a link): its path, empty when the
    key that made it is no longer in use (re-issue it by hand), and when it expires."""
    if link is None:
        return None
    token = link.token()  # None: made under a key no longer in use (re-issue by hand)
    path = reverse("rate:link", args=[token]) if token else ""
    return LinkCard(link, path, rating_link_expires_at(link=link))


def ratings_panel(
    *, entry: Entry, form: forms.Form | None, link: RatingLink | None, can_issue: bool = False
) -> EntryPanel | None:
    """Return the entry page's ratings: those given so far, `form` (None: the user may not
    rate), the card of `link` (the informant's, for the owner side of a replied entry) and
    whether to offer issuing one (a replied entry without a link); None when there is nothing
    to show."""
    ratings = entry_ratings(entry=entry) if entry.replied_at else []  # none before
    card = link_card(link=link)
    if not ratings and form is None and card is None and not can_issue:
        return None
    context = {"ratings": ratings, "rating_form": form, "link_card": card, "can_issue": can_issue}
    return EntryPanel("feedback/_entry_ratings.html", context)


def referral_stub_panel(*, link: RatingLink | None) -> EntryPanel | None:
    """Return the informant's stub under the referral sheet: the QR of `link`, which works once
    the entry is replied (None without a link)."""
    card = link_card(link=link)
    return EntryPanel("feedback/_referral_stub.html", {"link_card": card}) if card else None
