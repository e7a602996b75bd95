"""The entry page's related section (相关事项, 一事一记, R11): link and unlink related entries,
mark or unmark a duplicate, and the similar entries worth linking (a fragment, on demand)."""

from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from liaison import permissions, transitions
from liaison.forms.links import LinkForm, MarkDuplicateForm, UnmarkDuplicateForm
from liaison.models import Entry, User
from liaison.selectors.entries import EntryPanel
from liaison.selectors.links import entry_duplicates, entry_related_entries, similar_to_link
from liaison.services import links as services
from liaison.views.entries import entry_page

LINK, DUPLICATE = "link", "mark_duplicate"


def entry_related_panel(*, user: User, entry: Entry, forms: dict) -> EntryPanel | None:
    """The entry page's related section: links, duplicates, the original, and the forms."""
    related = entry_related_entries(user=user, entry=entry)
    if related.is_empty and not related.can_link:
        return None
    may_mark = related.can_link and entry.duplicate_of_id is None and not related.duplicates
    context = {
        "related": related,
        "link_form": (forms.get(LINK) or LinkForm()) if related.can_link else None,
        # A refused form is shown again with its errors, even if the entry moved on meanwhile.
        "duplicate_form": forms.get(DUPLICATE)
        or (MarkDuplicateForm(entry=entry) if may_mark else None),
    }
    return EntryPanel("liaison/_entry_related.html", context)


def _refused(request, entry: Entry, error: Exception, name: str, form: forms.Form | None):
    """Show the entry as it stands with why nothing was written: 403 for the role, 409 for a
    stale page, 404 for an entry number the user cannot reach, 400 for the input."""
    if isinstance(error, Http404):
        status = HTTPStatus.NOT_FOUND
        message = _("No entry has this number within your reach.")  # as for a missing one
        if form is not None:
            form.add_error("number", message)
        else:
            messages.error(request, message)
    elif isinstance(error, transitions.EntryConflict):
        status = HTTPStatus.CONFLICT
        messages.error(request, str(error))
    elif isinstance(error, transitions.WorkflowRefused):
        status = HTTPStatus.FORBIDDEN
        messages.error(request, str(error))
    else:
        status = HTTPStatus.BAD_REQUEST
        if form is not None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    if status != HTTPStatus.BAD_REQUEST:
        messages.error(request, _("Nothing was saved."))
    fresh = permissions.get_entry_for(request.user, entry.pk)
    return entry_page(request, fresh, status=status, forms={name: form} if name else {})


def _invalid(request, entry: Entry, name: str, form):
    messages.error(request, _("Some of the fields are not valid; nothing was saved."))
    return entry_page(request, entry, status=HTTPStatus.BAD_REQUEST, forms={name: form})


_REFUSALS = (Http404, ValidationError, transitions.WorkflowRefused, transitions.EntryConflict)


@require_POST
@login_required
def entry_link_add(request, pk: int):
    entry = permissions.get_entry_for(request.user, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _invalid(request, entry, LINK, form)
    try:
        other = permissions.get_entry_by_number_for(request.user, form.cleaned_data["number"])
        services.entry_link(
            entry=entry, other=other, actor=request.user, note=form.cleaned_data["note"]
        )
    except _REFUSALS as error:
        return _refused(request, entry, error, LINK, form)
    messages.success(request, _("Linked to %(number)s.") % {"number": other.number})
    return redirect(entry)


@require_POST
@login_required
def entry_link_remove(request, pk: int, other_pk: int):
    entry = permissions.get_entry_for(request.user, pk)
    other = permissions.get_entry_for(request.user, other_pk)
    try:
        services.entry_unlink(entry=entry, other=other, actor=request.user)
    except _REFUSALS as error:
        return _refused(request, entry, error, "", None)
    messages.success(request, _("Unlinked from %(number)s.") % {"number": other.number})
    return redirect(entry)


@require_POST
@login_required
def entry_duplicate_mark(request, pk: int):
    entry = permissions.get_entry_for(request.user, pk)
    form = MarkDuplicateForm(request.POST, entry=entry)
    if not form.is_valid():
        return _invalid(request, entry, DUPLICATE, form)
    data = form.cleaned_data
    try:
        original = permissions.get_entry_by_number_for(request.user, data["number"])
        services.entry_mark_duplicate(
            entry=entry, original=original, actor=request.user,
            expected_version=data["version"], note=data["note"],
        )  # fmt: skip
    except _REFUSALS as error:
        return _refused(request, entry, error, DUPLICATE, form)
    messages.success(
        request,
        _("Marked as a duplicate of %(number)s.") % {"number": entry.duplicate_of.number},
    )
    return redirect(entry)


@require_POST
@login_required
def entry_duplicate_unmark(request, pk: int):
    entry = permissions.get_entry_for(request.user, pk)
    form = UnmarkDuplicateForm(request.POST)
    if not form.is_valid():
        return _invalid(request, entry, "", form)
    try:
        services.entry_unmark_duplicate(
            entry=entry, actor=request.user, expected_version=form.cleaned_data["version"]
        )
    except _REFUSALS as error:
        return _refused(request, entry, error, "", None)
    messages.success(request, _("No longer marked as a duplicate."))
    return redirect(entry)


@require_safe
@login_required
def entry_link_similar(request, pk: int):
    """The earlier entries that read like this one, to link or mark (a fragment the related
    section loads when opened; the same CJK similarity as the visit form's hint)."""
    entry = permissions.get_entry_for(request.user, pk)
    if not permissions.can_link_entry(entry=entry, user=request.user):
        raise Http404
    similar = similar_to_link(user=request.user, entry=entry)
    may_mark = entry.duplicate_of_id is None and not entry_duplicates(
        user=request.user, entry=entry
    )
    context = {"entry": entry, "similar": similar, "may_mark": may_mark}
    return render(request, "liaison/_entry_similar.html", context)
