"""The return-visit queue (回访, R21): the secretary's and the party-building department's list of
replied entries awaiting their rating, with one form per entry to log the call or visit."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from feedback import permissions
from feedback.constants import ReturnVisitOutcome
from feedback.forms.ratings import ReturnVisitForm
from feedback.selectors.return_visits import return_visit_queue
from feedback.services.return_visits import return_visit_record
from liaison.permissions import get_entry_for
from liaison.services import workflow


def _page(request, *, bound: ReturnVisitForm | None = None, status: int = HTTPStatus.OK):
    queue = return_visit_queue(user=request.user)
    rows = [
        (entry, bound if bound is not None and bound.entry.pk == entry.pk else ReturnVisitForm(
            entry=entry))
        for entry in queue.entries
    ]  # fmt: skip
    context = {"queue": queue, "rows": rows}
    return render(request, "feedback/return_visits.html", context, status=status)


@require_safe
@login_required
def return_visit_list(request):
    if not permissions.does_return_visits(request.user):
        raise Http404
    return _page(request)


@require_POST
@login_required
def return_visit_create(request, pk: int):
    if not permissions.does_return_visits(request.user):
        raise Http404
    entry = get_entry_for(request.user, pk)
    form = ReturnVisitForm(request.POST, entry=entry)
    if not form.is_valid():
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
        return _page(request, bound=form, status=HTTPStatus.BAD_REQUEST)
    try:
        return_visit_record(
            entry=entry,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )
    except workflow.WorkflowRefused as error:
        messages.error(request, str(error))
        return _page(request, status=HTTPStatus.FORBIDDEN)
    except workflow.EntryConflict as error:
        messages.error(request, str(error))
        return _page(request, status=HTTPStatus.CONFLICT)
    except (workflow.WorkflowError, ValidationError) as error:
        texts = error.messages if isinstance(error, ValidationError) else [str(error)]
        for text in texts:
            messages.error(request, text)
        return _page(request, status=HTTPStatus.BAD_REQUEST)
    if form.cleaned_data["outcome"] == ReturnVisitOutcome.RATED:
        messages.success(request, _("Return visit logged and the rating recorded: %(number)s.")
                         % {"number": entry.number})  # fmt: skip
    else:
        messages.success(request, _("Return visit logged: %(number)s still awaits its rating.")
                         % {"number": entry.number})  # fmt: skip
    return redirect("return_visits")
