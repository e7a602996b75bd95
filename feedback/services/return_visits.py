"""Return visits by a third party (回访, R21): each call or visit to the informant of a replied
entry awaiting its rating is logged with its method and outcome; a rating heard there is
recorded through rating_record, which names who recorded it and closes or reopens the entry."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from feedback.constants import RatingChannel, ReturnVisitMethod, ReturnVisitOutcome
from feedback.models import ReturnVisit
from feedback.services.ratings import rating_record
from liaison.constants import EventKind
from liaison.models import Entry, User
from liaison.services import workflow
from liaison.services.entries import entry_event, entry_write


@transaction.atomic
def return_visit_record(
    *,
    entry: Entry,
    actor: User,
    expected_version: int,
    method: str,
    outcome: str,
    value: str = "",
    comment: str = "",
    note: str = "",
    target_on: dt.date | None = None,
) -> ReturnVisit:
    """Log a return visit to the informant of a replied entry (R21). Rated: the rating is
    recorded as a third party's (or, heard by the owner, as the owner's), closing or reopening
    the entry. Unreachable or refused: the attempt goes on the timeline; the entry still waits
    for its rating (and closes as not rated when its time is up, R4)."""
    if method not in ReturnVisitMethod.values:
        raise ValidationError({"method": _("Choose how the informant was reached.")})
    if outcome not in ReturnVisitOutcome.values:
        raise ValidationError({"outcome": _("Choose what came of the return visit.")})
    note = (note or "").strip()
    visit = ReturnVisit(
        entry=entry, round=entry.reopen_count, method=method, outcome=outcome,
        visited_by=actor, note=note,
    )  # fmt: skip
    if outcome == ReturnVisitOutcome.RATED:
        if not value:
            raise ValidationError({"value": _("Record the rating the informant gave.")})
        rating_record(
            entry=entry,
            value=value,
            comment=comment,
            channel=RatingChannel.RETURN_VISIT,
            actor=actor,
            expected_version=expected_version,
            target_on=target_on,
        )
    else:
        # Whoever may record the rating may log the attempt, on the page's version (R16).
        workflow.entry_check(
            entry=entry, actor=actor, action=workflow.Action.CLOSE,
            expected_version=expected_version,
        )  # fmt: skip
        entry_write(entry=entry, expected_version=expected_version)
        entry_event(
            entry=entry,
            kind=EventKind.RETURN_VISITED,
            actor=actor,
            note=note,
            after={"method": method, "outcome": outcome},
        )
    visit.save()
    return visit
