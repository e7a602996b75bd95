"""Hot topics (热点诉求) and the matters of the month (每月一题).

Who: the party-building department (the company) and committee staff (their subtree) read;
the department alone makes and changes a matter. Anyone else gets 404 on every page (as on the
dashboards); a committee reader who tries a write gets 403; a matter without an entry in the
reader's subtree answers 404, the same as a missing one.
"""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from feedback import permissions
from feedback.forms.matters import (
    HotTopicsForm,
    MatterCloseForm,
    MatterCreateForm,
    MatterEntriesForm,
    MatterForm,
    MatterListForm,
    entry_ids,
    last_complete_month,
)
from feedback.models import MonthlyMatter
from feedback.selectors import hot_topics as topics
from feedback.selectors import matters as selectors
from feedback.services import matters as services
from liaison.permissions import get_entry_for

EDIT, ADD, CLOSE = "edit", "add", "close"


def _reader(request) -> None:
    if not permissions.reads_hot_topics(request.user):
        raise Http404


def _form_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names if the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@require_safe
@login_required
def hot_topics(request):
    _reader(request)
    orgs = topics.hot_topic_orgs(request.user)
    form = HotTopicsForm(request.GET)
    report = None
    if form.is_valid():
        node = permissions.dashboard_node_for(user=request.user, pk=form.cleaned_data["org"])
        report = topics.hot_topics(node=node, month=form.the_month())
    context = {
        "form": form,
        "orgs": orgs,
        "topics": report,
        "edits": permissions.edits_matters(request.user),
    }
    status = HTTPStatus.OK if report else HTTPStatus.BAD_REQUEST
    return render(request, "feedback/hot_topics.html", context, status=status)


def _create_page(request, form: MatterCreateForm, ids: list[int], status=HTTPStatus.OK):
    preview = selectors.entries_preview(user=request.user, ids=ids)
    context = {"form": form, "preview": preview}
    return render(request, "feedback/matter_create.html", context, status=status)


def _initial_from_query(request) -> tuple[dict, list[int]]:
    """The new matter's month, title and entries from the hot-topic page's link: a cluster's
    entry ids, or a service item's entries of the month in a unit."""
    query = HotTopicsForm({k: request.GET[k] for k in ("month", "org") if k in request.GET})
    if not query.is_valid():
        raise BadRequest(" ".join(query.errors.get("__all__", [])) or _("The query is not valid."))
    month = query.the_month()
    initial = {"month": month, "title": request.GET.get("title", "")[:120]}
    if request.GET.get("item", "").isdigit():
        node = permissions.dashboard_node_for(user=request.user, pk=query.cleaned_data["org"])
        ids = topics.item_entry_ids(node=node, month=month, item_id=int(request.GET["item"]))
    else:
        try:
            ids = entry_ids(request.GET.get("entries", ""))
        except ValidationError as error:
            raise BadRequest(" ".join(error.messages)) from None
    initial["entries"] = ",".join(map(str, ids))
    return initial, ids


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def matter_create(request):
    """The department's form to make a matter of a cluster or a service item's entries."""
    _reader(request)
    if not permissions.edits_matters(request.user):
        raise PermissionDenied
    if request.method != "POST":
        initial, ids = _initial_from_query(request)
        return _create_page(request, MatterCreateForm(initial=initial), ids)
    form = MatterCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            matter = services.matter_create(
                actor=request.user,
                month=data["month"],
                title=data["title"],
                owner=data["owner"],
                due_on=data["due_on"],
                plan=data["plan"],
                entry_ids=data["entries"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Matter of the month created."))
            return redirect(matter)
    try:  # show the entries picked again beside the errors
        ids = entry_ids(request.POST.get("entries", ""))
    except ValidationError:
        ids = []
    messages.error(request, _("Some of the fields are not valid; nothing was saved."))
    return _create_page(request, form, ids, HTTPStatus.BAD_REQUEST)


@require_safe
@login_required
def matter_list(request):
    _reader(request)
    form = MatterListForm(request.GET)
    rows = None
    if form.is_valid():
        rows = selectors.matter_list(user=request.user, month=form.cleaned_data.get("month"))
    context = {"form": form, "rows": rows, "default_month": last_complete_month()}
    status = HTTPStatus.OK if rows is not None else HTTPStatus.BAD_REQUEST
    return render(request, "feedback/matter_list.html", context, status=status)


def _detail(request, matter: MonthlyMatter, *, status=HTTPStatus.OK, forms: dict | None = None):
    forms = forms or {}
    today = timezone.localdate()
    editable = permissions.edits_matters(request.user) and matter.is_open
    initial = {"title": matter.title, "owner": matter.owner_id, "due_on": matter.due_on,
               "plan": matter.plan}  # fmt: skip
    context = {
        "matter": matter,
        "today": today,
        "days_left": (matter.due_on - today).days,
        "days_late": (today - matter.due_on).days,
        "figures": selectors.matter_figures(matter=matter, user=request.user, today=today),
        "entries": selectors.matter_entry_list(matter=matter, user=request.user),
        "history": selectors.matter_history(matter=matter),
        "editable": editable,
        "edit_form": (forms.get(EDIT) or MatterForm(initial=initial)) if editable else None,
        "add_form": (forms.get(ADD) or MatterEntriesForm()) if editable else None,
        "close_form": (forms.get(CLOSE) or MatterCloseForm()) if editable else None,
        "open_form": next(iter(forms), ""),
    }
    return render(request, "feedback/matter_detail.html", context, status=status)


@require_safe
@login_required
def matter_detail(request, pk: int):
    return _detail(request, permissions.get_matter_for(request.user, pk))


def _write(request, pk: int, key: str, form, call):
    """Run one write of the matter's page: 404 out of scope, 403 for a reader who may not
    write, 400 with the form's or the service's message; else back to the page."""
    matter = permissions.get_matter_for(request.user, pk)
    if not permissions.edits_matters(request.user):
        raise PermissionDenied
    if form is not None and not form.is_valid():
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
        return _detail(request, matter, status=HTTPStatus.BAD_REQUEST, forms={key: form})
    try:
        text = call(matter, form.cleaned_data if form is not None else {})
    except ValidationError as error:
        if form is not None:
            _form_errors(form, error)
        messages.error(request, " ".join(error.messages))
        return _detail(
            request, matter, status=HTTPStatus.BAD_REQUEST, forms={key: form} if form else {}
        )
    messages.success(request, text)
    return redirect(matter)


@require_POST
@login_required
def matter_edit(request, pk: int):
    def call(matter, data):
        services.matter_update(matter=matter, actor=request.user, **data)
        return _("Matter of the month saved.")

    return _write(request, pk, EDIT, MatterForm(request.POST), call)


@require_POST
@login_required
def matter_entries_add(request, pk: int):
    def call(matter, data):
        ids, unknown = selectors.entries_to_link(user=request.user, numbers=data["numbers"])
        if unknown:
            raise ValidationError(
                {
                    "numbers": _("No entry you may see has the number: %(numbers)s")
                    % {"numbers": ", ".join(unknown)}
                }
            )
        added = services.matter_entries_add(matter=matter, actor=request.user, entry_ids=ids)
        return _("%(n)d entries linked.") % {"n": len(added)}

    return _write(request, pk, ADD, MatterEntriesForm(request.POST), call)


@require_POST
@login_required
def matter_entry_remove(request, pk: int, entry_pk: int):
    def call(matter, data):
        entry = get_entry_for(request.user, entry_pk)
        services.matter_entry_remove(matter=matter, actor=request.user, entry=entry)
        return _("Entry %(number)s unlinked.") % {"number": entry.number}

    return _write(request, pk, "", None, call)


@require_POST
@login_required
def matter_close(request, pk: int):
    def call(matter, data):
        services.matter_close(matter=matter, actor=request.user, note=data["closing_note"])
        return _("Matter of the month closed.")

    return _write(request, pk, CLOSE, MatterCloseForm(request.POST), call)
