"""Supervision (督办, R6): the board, and issuing and answering notices from the entry page."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from liaison import permissions
from liaison.forms.supervision import SupervisionAnswerForm, SupervisionIssueForm
from liaison.listing import build_table
from liaison.models import Entry, User
from liaison.selectors import supervision as selectors
from liaison.selectors.entries import EntryPanel
from liaison.services import supervision as services
from liaison.tables import SupervisionTable
from liaison.views.entries import entry_page

ISSUE, ANSWER = "supervise", "supervision_answer"


@require_safe
@login_required
def supervision_board(request):
    if not permissions.reads_supervision_board(request.user):
        raise Http404
    today = timezone.localdate()
    filterset = selectors.supervision_board_filter(
        user=request.user, filters=request.GET, today=today
    )
    table = build_table(request, filterset, SupervisionTable, today=today)
    table.calendar = filterset.bounds.calendar  # one calendar for the counts and the rows
    board = selectors.board_summary(
        user=request.user,
        narrow=filterset.filter_queryset,
        node=filterset.form.cleaned_data.get("org"),
        today=today,
        bounds=filterset.bounds,
    )
    context = {"filter": filterset, "table": table, "board": board}
    return render(request, "liaison/supervision_board.html", context)


def entry_supervision_panel(*, user: User, entry: Entry, forms: dict) -> EntryPanel | None:
    """The entry page's supervision card: the notices, and the form the user may submit."""
    supervisions = selectors.entry_supervisions(entry=entry)
    open_notice = next((s for s in supervisions if s.is_open), None)
    can_issue = permissions.can_issue_supervision(entry=entry, user=user, open_notice=open_notice)
    can_answer = permissions.can_answer_supervision(entry=entry, user=user, open_notice=open_notice)
    if not supervisions and not can_issue:
        return None
    context = {
        "supervisions": supervisions,
        "open_notice": open_notice,
        "today": timezone.localdate(),
        "issue_form": (forms.get(ISSUE) or SupervisionIssueForm()) if can_issue else None,
        "answer_form": (forms.get(ANSWER) or SupervisionAnswerForm()) if can_answer else None,
    }
    return EntryPanel("liaison/_entry_supervision.html", context)


def _refused(request, entry: Entry, error: Exception, action: str, form):
    status = HTTPStatus.FORBIDDEN if isinstance(error, PermissionDenied) else HTTPStatus.BAD_REQUEST
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    fresh = permissions.get_entry_for(request.user, entry.pk)
    return entry_page(request, fresh, status=status, forms={action: form})


@require_POST
@login_required
def supervision_issue(request, pk: int):
    entry = permissions.get_entry_for(request.user, pk)
    form = SupervisionIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
        return entry_page(request, entry, status=HTTPStatus.BAD_REQUEST, forms={ISSUE: form})
    try:
        services.supervision_issue(entry=entry, actor=request.user, **form.cleaned_data)
    except (PermissionDenied, ValidationError) as error:
        return _refused(request, entry, error, ISSUE, form)
    messages.success(request, _("Supervision notice issued; the owner has been told."))
    return redirect(entry)


@require_POST
@login_required
def supervision_answer(request, pk: int, supervision_pk: int):
    supervision = permissions.get_open_supervision_for(request.user, pk, supervision_pk)
    entry = supervision.entry
    form = SupervisionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
        return entry_page(request, entry, status=HTTPStatus.BAD_REQUEST, forms={ANSWER: form})
    try:
        services.supervision_answer(
            supervision=supervision, actor=request.user, response=form.cleaned_data["response"]
        )
    except (PermissionDenied, ValidationError) as error:
        return _refused(request, entry, error, ANSWER, form)
    messages.success(request, _("Your answer to the supervision notice is recorded."))
    return redirect(entry)
