"""The informant's signed rating link (R8): made for the owner side, re-issued by hand, and
used once to rate the reply (the token scheme: feedback.models.links).

A link is made the first time one of the owner's pages shows it (a write on GET):
`rating_link_get_or_create`, called by the entry page's ratings panel, the referral sheet's stub
and the reply slip (feedback.views.ratings).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.constants import RATING_LINK_TOKEN_BYTES, RatingChannel, Satisfaction
from feedback.models import Rating, RatingLink
from feedback.permissions import LINK_REFUSED, rating_link_may_show
from feedback.selectors.ratings import LinkState, rating_link_state
from feedback.services.ratings import rating_record
from liaison.constants import OPEN_STATUSES, Colour, EntryKind
from liaison.models import Entry, User
from liaison.services import workflow
from liaison.workdays import earliest_yellow_target


class RatingLinkUnusable(Exception):
    """The link cannot record a rating now (used, expired, replaced, not replied yet …)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


def rating_link_get_or_create(*, entry: Entry, actor: User) -> RatingLink | None:
    """Return the live link of the entry's current round for its owner side, making it the
    first time a page needs it (None for basic information and closed or void entries).

    Made lazily, from the owner's entry page, reply slip or referral sheet: liaison, which
    writes the reply, does not know feedback. Making it is idempotent — one live row per
    entry and round (a unique constraint; a concurrent maker's row is taken instead) — so a
    GET that makes it changes nothing anyone sees but the link itself."""
    if entry.kind == EntryKind.BASIC or entry.status not in OPEN_STATUSES:
        return None
    if not rating_link_may_show(entry=entry, user=actor):
        raise workflow.WorkflowRefused(str(LINK_REFUSED))
    link = RatingLink.objects.filter(
        entry=entry, round=entry.reopen_count, revoked_at__isnull=True
    ).first()
    if link is not None:
        link.entry = entry  # spare the query: it is this very entry
    if link is not None:
        # Even when the key that made it is gone (link.token() is None), a page that shows the
        # link never revokes it: the informant's copy still works (it is looked up by its hash),
        # and only the owner's explicit re-issue (a POST) replaces it.
        return link
    return _rating_link_make(entry=entry, actor=actor)


def _rating_link_make(*, entry: Entry, actor: User) -> RatingLink:
    link = RatingLink(
        entry=entry,
        round=entry.reopen_count,
        nonce=secrets.token_urlsafe(RATING_LINK_TOKEN_BYTES),
        created_by=actor,
    )
    link.token_hash = RatingLink.hash_of(link.token_with(settings.SECRET_KEY))
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:  # another request made this round's link first
        return RatingLink.objects.get(
            entry=entry, round=entry.reopen_count, revoked_at__isnull=True
        )
    return link


@transaction.atomic
def rating_link_reissue(*, entry: Entry, actor: User) -> RatingLink:
    """Revoke the live link of the entry's current round and make a new one (the old one, if
    it went to the wrong person or its key is gone, stops working at once)."""
    if not rating_link_may_show(entry=entry, user=actor):
        raise workflow.WorkflowRefused(str(LINK_REFUSED))
    if entry.kind == EntryKind.BASIC or entry.status not in OPEN_STATUSES:
        raise workflow.WorkflowError(_("This entry is not awaiting a rating."))
    RatingLink.objects.filter(
        entry=entry, round=entry.reopen_count, revoked_at__isnull=True, used_at__isnull=True
    ).update(revoked_at=timezone.now(), revoked_by=actor)
    return _rating_link_make(entry=entry, actor=actor)


@transaction.atomic
def rating_link_rate(
    *, link: RatingLink, value: str, comment: str, expected_version: int
) -> Rating:
    """Record the informant's rating through the link, once (R8, channel LINK): through
    `rating_record`, which closes the entry or reopens it (R4). A yellow entry reopened this
    way gets the earliest target date allowed, as the informant cannot choose one.

    Raises RatingLinkUnusable when the link cannot rate now, and EntryConflict when the entry
    changed since the page showed `expected_version` or the link was used meanwhile (two
    tabs): the claim of the link and the rating commit together or not at all."""
    state = rating_link_state(link=link)
    if state != LinkState.USABLE:
        raise RatingLinkUnusable(state)
    entry = link.entry
    target_on = None
    if value == Satisfaction.UNSATISFIED and entry.colour == Colour.YELLOW:
        target_on = earliest_yellow_target(timezone.localdate()).due_on
    rating = rating_record(
        entry=entry,
        value=value,
        comment=comment,
        channel=RatingChannel.LINK,
        actor=None,
        expected_version=expected_version,
        target_on=target_on,
    )
    claimed = RatingLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=timezone.now(), rating=rating)
    if not claimed:
        raise workflow.EntryConflict(entry)
    return rating
