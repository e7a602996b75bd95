"""The knowledge base (知识库): reply templates, read by everyone who replies or records a plan
(404 for anyone else), written, retired and restored by the party-building department (403 for
the other readers)."""

from __future__ import annotations

from functools import wraps
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from liaison import permissions
from liaison.forms.knowledge import ReplyTemplateForm
from liaison.listing import build_table
from liaison.selectors.knowledge import reply_template_list
from liaison.services import knowledge
from liaison.tables import ReplyTemplateTable
from liaison.views.pages import wants_fragment


def readers_only(view):
    """Log in first; then anyone who does not read the knowledge base gets a 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.reads_knowledge(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _editor(request) -> None:
    if not permissions.can_edit_knowledge(request.user):
        raise PermissionDenied(_("Only the party-building department edits the knowledge base."))


@readers_only
@require_safe
@vary_on_headers("HX-Request")
def knowledge_list(request):
    filterset = reply_template_list(user=request.user, filters=request.GET)
    table = build_table(request, filterset, ReplyTemplateTable)
    template = "liaison/knowledge_list.html"
    template += "#results" if wants_fragment(request) else ""
    can_edit = permissions.can_edit_knowledge(request.user)
    return render(request, template, {"filter": filterset, "table": table, "can_edit": can_edit})


@readers_only
@require_safe
def knowledge_detail(request, pk: int):
    template = permissions.get_reply_template_for(request.user, pk)
    can_edit = permissions.can_edit_knowledge(request.user)
    context = {"template": template, "can_edit": can_edit}
    return render(request, "liaison/knowledge_detail.html", context)


def _form_page(request, form, *, status=HTTPStatus.OK, template=None):
    context = {"form": form, "template": template}
    return render(request, "liaison/knowledge_form.html", context, status=status)


def _refused(request, form, error: ValidationError | None = None, *, template=None):
    """Show the form again with its errors and the service's reasons: 400, nothing written."""
    if error is not None and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif error is not None:
        form.add_error(None, error.messages)
    messages.error(request, _("Some of the fields are not valid; nothing was saved."))
    return _form_page(request, form, status=HTTPStatus.BAD_REQUEST, template=template)


@readers_only
@require_http_methods(["GET", "HEAD", "POST"])
def knowledge_create(request):
    _editor(request)
    if request.method != "POST":
        return _form_page(request, ReplyTemplateForm(initial={"item": request.GET.get("item")}))
    form = ReplyTemplateForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    try:
        template = knowledge.reply_template_create(actor=request.user, **form.service_kwargs())
    except ValidationError as error:
        return _refused(request, form, error)
    messages.success(request, _("The reply template is saved; it is offered from now on."))
    return redirect(template)


@readers_only
@require_http_methods(["GET", "HEAD", "POST"])
def knowledge_edit(request, pk: int):
    template = permissions.get_reply_template_for(request.user, pk)
    _editor(request)
    if request.method != "POST":
        return _form_page(request, ReplyTemplateForm(template=template), template=template)
    form = ReplyTemplateForm(request.POST, template=template)
    if not form.is_valid():
        return _refused(request, form, template=template)
    try:
        knowledge.reply_template_update(
            template=template,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )
    except ValidationError as error:
        return _refused(request, form, error, template=template)
    except knowledge.TemplateConflict as error:
        messages.error(request, str(error))
        fresh = permissions.get_reply_template_for(request.user, pk)
        data = request.POST.copy()
        data["version"] = str(fresh.version)  # what the user typed, at the version now stored
        form = ReplyTemplateForm(data, template=fresh)
        return _form_page(request, form, status=HTTPStatus.CONFLICT, template=fresh)
    messages.success(request, _("The reply template is saved."))
    return redirect(template)


@readers_only
@require_POST
def knowledge_retire(request, pk: int):
    template = permissions.get_reply_template_for(request.user, pk)
    _editor(request)
    knowledge.reply_template_retire(template=template, actor=request.user)
    messages.success(request, _("The reply template is retired: it is no longer offered."))
    return redirect(template)


@readers_only
@require_POST
def knowledge_restore(request, pk: int):
    template = permissions.get_reply_template_for(request.user, pk)
    _editor(request)
    try:
        knowledge.reply_template_restore(template=template, actor=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        context = {"template": template, "can_edit": True}
        return render(
            request, "liaison/knowledge_detail.html", context, status=HTTPStatus.BAD_REQUEST
        )
    messages.success(request, _("The reply template is offered again."))
    return redirect(template)
