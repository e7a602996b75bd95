"""The informant's signed rating link (R8): made for the owner side, re-issued by hand, and
used once to rate the reply (the token scheme: feedback.models.links).

A link is made in the transaction that refers or replies to the entry (rating_link_on_transition,
liaison's transition hook), or by the owner's explicit (re-)issue, a POST; the pages that show it
only read it (feedback.selectors.ratings.rating_link_current).
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
from liaison.transitions import Action
from liaison.workdays import earliest_yellow_target


class RatingLinkUnusable(Exception):
    """The link cannot record a rating now (used, expired, replaced, not replied yet …)."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


# The actions after which the round's link exists: the referral sheet, printed when the entry
# is referred, carries its QR code (it works once the entry is replied), and the reply is what
# the informant rates. A reopened entry's new round gets its link at its next referral or reply.
LINK_ACTIONS = frozenset({Action.REFER, Action.REPLY})


def rating_link_issue(*, entry: Entry, actor: User | None) -> RatingLink | None:
    """Make the live link of the entry's current round unless it exists, and return it (None
    for basic information and for closed or void entries). Idempotent: one live row per entry
    and round (a unique constraint; a concurrent maker's row is taken instead)."""
    if entry.kind == EntryKind.BASIC or entry.status not in OPEN_STATUSES:
        return None
    link = RatingLink.objects.filter(
        entry=entry, round=entry.reopen_count, revoked_at__isnull=True
    ).first()
    return link or _rating_link_make(entry=entry, actor=actor)


def rating_link_on_transition(*, entry: Entry, action: str, actor: User | None) -> None:
    """Make the round's link in the transaction of a referral or a reply (liaison's transition
    hook, registered in apps.py), so that no page has to make it when it shows it."""
    if action in LINK_ACTIONS:
        rating_link_issue(entry=entry, actor=actor)


def _rating_link_make(*, entry: Entry, actor: User | None) -> RatingLink:
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
