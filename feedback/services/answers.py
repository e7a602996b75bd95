"""The rater's side of the reverse evaluation (R12): the signed link and the answers.

A rater opens ``/e/<token>/`` without an account (what the page reads:
feedback.selectors.answers). The token is found by its SHA-256 (the scheme of
feedback.models.links: nothing secret is compared, and a copy of the database alone opens
nothing). The page lists the rater's ratees; one POST answers all of them at once, and the rater
can neither answer again nor change an answer.

Rules (the service enforces them, whatever the page sent):

- every ratee shown must be rated: the scale (R8) has no "cannot judge", and a rater is asked
  only about people and branches they deal with; a partial answer would be locked half-done;
- nobody rates themselves: an assignment whose ratee is the rater (a person rating their own
  person, a branch its own branch) is never shown and never accepted, even though the proposal
  already leaves such pairs out;
- the campaign must be open: not a draft, not closed, and not past its closing date;
- answers and the rater's ``submitted_at`` commit together, under a lock on the campaign row and
  then the rater's row, so that a double submit (two tabs, a double tap) writes one set of
  answers and a closing campaign never takes an answer after it closed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.constants import RATING_LINK_COMMENT_MAX_LENGTH, Satisfaction
from feedback.models import (
    EvaluationAnswer,
    EvaluationAssignment,
    EvaluationCampaign,
    EvaluationRater,
)
from feedback.selectors.answers import RaterState, rater_assignments, rater_state

__all__ = ["COMMENT_MAX_LENGTH", "EvaluationRefused", "evaluation_submit"]

# A rater's comment on one ratee: as long as an informant's through a rating link.
COMMENT_MAX_LENGTH = RATING_LINK_COMMENT_MAX_LENGTH


class EvaluationRefused(Exception):
    """The rater cannot answer now; `state` says why."""

    def __init__(self, state: RaterState) -> None:
        super().__init__(str(state))
        self.state = state


def _answer(assignment: EvaluationAssignment, value: str, comment: str) -> EvaluationAnswer:
    if value not in Satisfaction.values:
        raise ValidationError(_("Choose one of the answers for every one you rate."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("A comment has at most %(n)d characters.") % {"n": COMMENT_MAX_LENGTH}
        )
    answer = EvaluationAnswer(assignment=assignment, value=value, comment=comment)
    answer.clean_fields(exclude=["assignment"])  # no query: the OneToOne is checked by the lock
    return answer


@transaction.atomic
def evaluation_submit(
    *, rater: EvaluationRater, answers: dict[int, tuple[str, str]]
) -> list[EvaluationAnswer]:
    """Record the rater's answers, {assignment id: (value, comment)}, one for each of their
    ratees, all at once, and mark the rater submitted.

    Raises EvaluationRefused when the rater cannot answer now (answered already — also by a
    second tab a moment ago —, campaign not open or closed) and ValidationError when the
    answers do not cover exactly the rater's ratees (one missing, one unknown or another
    rater's, one rating the rater themselves) or a value or comment is not valid. Nothing is
    written unless everything is."""
    # The campaign first, then the rater: the order the close of a campaign takes too, so a
    # submission and the close wait for each other instead of crossing.
    campaign = EvaluationCampaign.objects.select_for_update().get(pk=rater.campaign_id)
    locked = EvaluationRater.objects.select_for_update().get(pk=rater.pk)
    assignments = {a.pk: a for a in rater_assignments(rater=locked)}
    state = rater_state(rater=locked, campaign=campaign, has_ratees=bool(assignments))
    if state != RaterState.USABLE:
        raise EvaluationRefused(state)
    unknown = set(answers) - set(assignments)
    if unknown:
        own = EvaluationAssignment.objects.filter(rater=locked, pk__in=unknown).exists()
        if own:  # the rater's own assignment left out above: the ratee is the rater
            raise ValidationError(_("Nobody rates themselves."))
        raise ValidationError(_("An answer is about someone this link does not rate."))
    if set(answers) != set(assignments):
        raise ValidationError(_("Rate every one on the list; nothing has been saved yet."))
    created = EvaluationAnswer.objects.bulk_create(
        [_answer(assignments[pk], *answers[pk]) for pk in sorted(answers)]
    )
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at"])
    rater.submitted_at = locked.submitted_at
    return created
