"""The entry page, its actions (one POST URL each, named after the state machine's actions), and
its printed sheets."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from liaison import permissions, transitions
from liaison.forms.entries import ACTION_FORMS, TemplatePicked, form_again, typed_text
from liaison.models import Entry
from liaison.selectors.attachments import entry_attachments
from liaison.selectors.entries import entry_sheet_panels, entry_view
from liaison.selectors.knowledge import reply_templates_offered
from liaison.services import workflow


def entry_page(request, entry: Entry, *, status: int = HTTPStatus.OK, forms: dict | None = None):
    """Render the entry page; `forms` holds submitted forms to show again, by action name. A
    panel shows one again by putting it in its context; the text typed into a form the page no
    longer offers (the entry moved on meanwhile) is shown to copy, so that it is not lost."""
    forms = forms or {}
    view = entry_view(user=request.user, entry=entry, forms=forms)
    action_forms = [
        (
            action,
            transitions.Action(action).label,
            forms.get(action) or ACTION_FORMS[action](entry=entry, user=request.user),
        )
        for action in view.actions
    ]
    shown = [form for _action, _label, form in action_forms]
    template_pickers = _offer_templates(entry, shown)
    shown += [value for panel in view.panels for value in panel.context.values()]
    kept_text = [
        text
        for form in forms.values()
        if not any(form is other for other in shown)
        for text in typed_text(form)
    ]
    context = {
        "entry": entry,
        "view": view,
        "action_forms": action_forms,
        "kept_text": kept_text,
        "conflict": status == HTTPStatus.CONFLICT,
        "template_pickers": template_pickers,
    }
    return render(request, "liaison/entry_detail.html", context, status=status)


def _offer_templates(entry: Entry, forms: list) -> bool:
    """Give the reply and plan forms the knowledge base's templates for the entry's service
    item (one query for both); return whether any form has some."""
    picked = [form for form in forms if isinstance(form, TemplatePicked)]
    offered = reply_templates_offered(
        item_id=entry.item_id, steps={form.template_use for form in picked}
    )
    for form in picked:
        form.offered_templates = offered[form.template_use]
    return any(form.offered_templates for form in picked)


def entry_refused(request, entry: Entry, error: Exception, *, forms: dict | None = None):
    """Show the entry as it now stands with why the action was refused: 403 for the role,
    409 for a conflict, 400 for the state or the input. Nothing was written. After a conflict
    the forms are bound again to what the user typed, with the entry's current version."""
    texts = error.messages if isinstance(error, ValidationError) else [str(error)]
    for text in texts:
        messages.error(request, text)
    fresh = permissions.get_entry_for(request.user, entry.pk)
    if isinstance(error, transitions.EntryConflict):
        status = HTTPStatus.CONFLICT
        forms = {name: form_again(form, entry=fresh) for name, form in (forms or {}).items()}
    elif isinstance(error, transitions.WorkflowRefused):
        status = HTTPStatus.FORBIDDEN
    else:
        status = HTTPStatus.BAD_REQUEST
    return entry_page(request, fresh, status=status, forms=forms)


@require_safe
@login_required
def entry_detail(request, pk: int):
    return entry_page(request, permissions.get_entry_for(request.user, pk))


@require_POST
@login_required
def entry_act(request, pk: int, action: str):
    entry = permissions.get_entry_for(request.user, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST, entry=entry, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
        return entry_page(request, entry, status=HTTPStatus.BAD_REQUEST, forms={action: form})
    kwargs = form.service_kwargs()
    together = None
    try:
        if "duplicates" in kwargs:  # a reply that goes to the original's duplicates too (R11)
            together = workflow.entry_reply_together(
                entry=entry, actor=request.user, expected_version=form.cleaned_data["version"],
                **kwargs,
            )  # fmt: skip
        else:
            workflow.entry_act(
                action=action,
                entry=entry,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **kwargs,
            )
    except (transitions.WorkflowError, transitions.EntryConflict, ValidationError) as error:
        return entry_refused(request, entry, error, forms={action: form})
    messages.success(request, transitions.TRANSITIONS[action].done)
    if together is not None:
        replied_together_messages(request, together)
    return redirect(entry)


def replied_together_messages(request, together: workflow.RepliedTogether) -> None:
    """Say which duplicates were replied with the original, and which not and why."""
    if together.replied:
        numbers = "、".join(d.number for d in together.replied)
        messages.success(
            request, _("Also replied to its duplicates: %(numbers)s.") % {"numbers": numbers}
        )
    for duplicate, why in together.skipped:
        messages.warning(
            request,
            _("Not replied together: %(number)s. %(why)s")
            % {"number": duplicate.number, "why": why},
        )


@require_safe
@login_required
def entry_print(request, pk: int):
    """The entry's record sheet (红/橙/黄色记录单) for the paper ledger, A4."""
    entry = permissions.get_entry_for(request.user, pk)
    view = entry_view(user=request.user, entry=entry, with_panels=False)
    attachments = entry_attachments(entry=entry)  # R23: the photos' thumbnails, files by name
    context = {"entry": entry, "view": view, "attachments": attachments}
    return render(request, "liaison/entry_print.html", context)


@require_safe
@login_required
def entry_referral(request, pk: int):
    """The referral sheet (活页交办单) the handling department receives, A4."""
    entry = permissions.get_entry_for(request.user, pk)
    panels = entry_sheet_panels(user=request.user, entry=entry, sheet="referral")
    return render(request, "liaison/entry_referral.html", {"entry": entry, "sheet_panels": panels})
