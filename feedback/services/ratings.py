"""Record the informant's rating of a reply (R8): on a return visit, or through the signed link
(feedback.services.rating_links), which closes the entry or reopens it (R4)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from feedback.constants import RatingChannel, Satisfaction
from feedback.models import Rating
from liaison.constants import ClosedReason, EventKind
from liaison.models import Entry, User
from liaison.services import workflow
from liaison.services.entries import entry_event


@transaction.atomic
def rating_record(
    *,
    entry: Entry,
    value: str,
    comment: str,
    channel: str,
    actor: User | None,
    expected_version: int,
    target_on: dt.date | None = None,
) -> Rating:
    """Record the informant's rating of the reply (R8), on a return visit or through a signed
    link (actor None). Heard by the entry's owner, the rating is marked as the owner's own
    (R21); by anyone else (the branch secretary, the party-building department), as a
    third-party return visit. Unsatisfied reopens the entry with a
    fresh deadline (a yellow one needs `target_on`); any other rating closes it as rated.

    One rating per round (the round is how often the entry had been reopened before); the
    entry's version check, then the unique round, stop a second rating of the same reply."""
    if value not in Satisfaction.values:
        raise ValidationError({"value": _("Choose a rating from the scale.")})
    if channel not in RatingChannel.values:
        raise ValidationError({"channel": _("Choose how the rating was given.")})
    if channel in (RatingChannel.RETURN_VISIT, RatingChannel.OWNER) and actor is None:
        raise ValidationError({"channel": _("A return visit is recorded by a user.")})
    if actor is not None and actor.pk == entry.owner_id:
        channel = RatingChannel.OWNER  # allowed, but marked: the owner rates their own work
    elif channel == RatingChannel.OWNER:
        channel = RatingChannel.RETURN_VISIT
    unsatisfied = value == Satisfaction.UNSATISFIED
    action = workflow.Action.REOPEN if unsatisfied else workflow.Action.CLOSE
    workflow.entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    rating = Rating(
        entry=entry,
        value=value,
        comment=(comment or "").strip(),
        channel=channel,
        recorded_by=actor,
        round=entry.reopen_count,
    )
    rating.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:  # another rating of this round won the race
        raise workflow.EntryConflict(entry) from None
    entry_event(
        entry=entry,
        kind=EventKind.RATED,
        actor=actor,
        note=rating.comment,
        after={"rating": value, "round": rating.round, "channel": channel},
    )
    if unsatisfied:
        workflow.entry_reopen(
            entry=entry, actor=actor, expected_version=expected_version, target_on=target_on
        )
    else:
        workflow.entry_close(
            entry=entry, actor=actor, expected_version=expected_version, reason=ClosedReason.RATED
        )
    return rating
