"""Pages of the feedback app. The rating recorded on a return visit is posted from the entry
page, which shows the ratings through the panel registered here."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import selectors, services
from feedback.constants import RatingChannel, Satisfaction
from feedback.forms import RATING_FORM, RatingForm
from liaison import permissions
from liaison.selectors.entries import EntryPanel
from liaison.services import workflow
from liaison.views.entries import entry_page, entry_refused


def entry_ratings_panel(*, user, entry, forms: dict) -> EntryPanel | None:
    """The entry page's ratings: those given so far, and the form when the user may rate."""
    ratings = selectors.entry_ratings(entry=entry) if entry.replied_at else []  # none before
    form = None
    if services.rating_may_record(entry=entry, actor=user):
        form = forms.get(RATING_FORM) or RatingForm(entry=entry)
    if not ratings and form is None:
        return None
    return EntryPanel("feedback/_entry_ratings.html", {"ratings": ratings, "rating_form": form})


@require_POST
@login_required
def rating_record(request, pk: int):
    """Record the rating the owner heard on a return visit (回访)."""
    entry = permissions.get_entry_for(request.user, pk)
    form = RatingForm(request.POST, entry=entry)
    if not form.is_valid():
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
        return entry_page(request, entry, status=HTTPStatus.BAD_REQUEST, forms={RATING_FORM: form})
    try:
        rating = services.rating_record(
            entry=entry,
            actor=request.user,
            channel=RatingChannel.RETURN_VISIT,
            expected_version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )
    except (workflow.WorkflowError, workflow.EntryConflict, ValidationError) as error:
        return entry_refused(request, entry, error, forms={RATING_FORM: form})
    if rating.value == Satisfaction.UNSATISFIED:
        reopened = _("Rated unsatisfied: the entry is reopened with a fresh deadline.")
        messages.warning(request, reopened)
    else:
        messages.success(request, _("Rating recorded; the entry is closed."))
    return redirect(entry)
