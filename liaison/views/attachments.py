"""Photos and files (R23): the attachments card of the entry and visit pages, attaching,
withdrawing, and the one view that serves a file or its thumbnail, after the same check as the
page it is shown on (404 for a missing and a forbidden file alike; never a public URL)."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from liaison import evidence, permissions
from liaison.constants import AttachmentStep
from liaison.forms.attachments import AttachmentForm, WithdrawForm
from liaison.models import Attachment, Entry, User, Visit
from liaison.selectors.attachments import entry_attachments, visit_attachments
from liaison.selectors.entries import EntryPanel
from liaison.services import attachments as services
from liaison.uploads import THUMBNAIL_TYPE, attachment_storage

ATTACH = "attach"  # the upload form's name among a page's forms
# Served files may not run anything, whatever they hold.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def withdraw_form_name(attachment: Attachment) -> str:
    return f"withdraw-{attachment.pk}"


@dataclass
class AttachmentRow:
    attachment: Attachment
    withdraw_form: WithdrawForm | None  # None: the user may not withdraw it
    from_visit: bool = False


@dataclass
class AttachmentCard:
    rows: list[AttachmentRow]
    form: AttachmentForm | None  # None: the user may not attach here
    action: str  # the URL the form posts to
    step_label: str = ""

    @property
    def images(self) -> list[Attachment]:
        return [
            r.attachment
            for r in self.rows
            if r.attachment.is_image and not r.attachment.is_withdrawn
        ]


def _rows(user: User, attachments: list[Attachment], forms: dict, *, entry: Entry | None = None):
    rows = []
    for attachment in attachments:
        if entry is not None and attachment.entry_id:
            attachment.entry = entry  # the page's entry, loaded with its org: no query
        withdrawable = not attachment.is_withdrawn and evidence.may_withdraw(
            attachment=attachment, user=user
        )
        form = forms.get(withdraw_form_name(attachment)) or WithdrawForm(
            prefix=withdraw_form_name(attachment)
        )
        from_visit = entry is not None and bool(attachment.visit_id)
        rows.append(AttachmentRow(attachment, form if withdrawable else None, from_visit))
    return rows


def entry_attachment_card(*, user: User, entry: Entry, forms: dict | None = None) -> AttachmentCard:
    forms = forms or {}
    try:
        step = evidence.entry_attach_step(entry=entry, user=user)
    except evidence.AttachRefused:
        step = ""
    return AttachmentCard(
        rows=_rows(user, entry_attachments(entry=entry), forms, entry=entry),
        form=(forms.get(ATTACH) or AttachmentForm()) if step else None,
        action=reverse("liaison:entry_attach", args=[entry.pk]),
        step_label=str(AttachmentStep(step).label) if step else "",
    )


def entry_attachment_panel(*, user: User, entry: Entry, forms: dict) -> EntryPanel:
    """The entry page's card of photos and files (registered in LiaisonConfig.ready)."""
    card = entry_attachment_card(user=user, entry=entry, forms=forms)
    return EntryPanel("liaison/_entry_attachments.html", {"card": card})


def visit_attachment_card(*, user: User, visit: Visit, forms: dict | None = None) -> AttachmentCard:
    forms = forms or {}
    may_attach = evidence.may_attach_to_visit(visit=visit, user=user)
    return AttachmentCard(
        rows=_rows(user, visit_attachments(visit=visit), forms),
        form=(forms.get(ATTACH) or AttachmentForm()) if may_attach else None,
        action=reverse("liaison:visit_attach", args=[visit.pk]),
    )


# -- Pages that show the card again after a refusal ----------------------------------------------


def _entry_page(request, entry: Entry, *, status: int, forms: dict):
    from liaison.views.entries import entry_page

    return entry_page(request, permissions.get_entry_for(request.user, entry.pk), status=status,
                      forms=forms)  # fmt: skip


def _visit_page(request, visit: Visit, *, status: int, forms: dict):
    from liaison.views.visits import visit_page

    return visit_page(request, visit, status=status, forms=forms)


def _refusal_status(error: Exception) -> int:
    if isinstance(error, evidence.AttachRefused) and error.forbidden:
        return HTTPStatus.FORBIDDEN
    return HTTPStatus.BAD_REQUEST


def _attach(request, *, attach, page, target):
    """Attach the posted files to `target` (an entry or a visit) with `attach`; on a refusal
    show `page` again with the form and why, nothing stored."""
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rows = attach(target, request.user, form.uploads(), form.cleaned_data["caption"])
        except evidence.AttachRefused as error:
            messages.error(request, str(error))
            return page(request, target, status=_refusal_status(error), forms={ATTACH: form})
        except services.AttachmentRefused as error:
            form.add_error("files", error.messages)
        else:
            messages.success(
                request,
                ngettext("%(n)d file attached.", "%(n)d files attached.", len(rows))
                % {"n": len(rows)},
            )
            return redirect(target.get_absolute_url() + "#attachments")
    messages.error(request, _("Nothing was attached: see the attachments card."))
    return page(request, target, status=HTTPStatus.BAD_REQUEST, forms={ATTACH: form})


@require_POST
@login_required
def entry_attach(request, pk: int):
    entry = permissions.get_entry_for(request.user, pk)
    return _attach(
        request,
        target=entry,
        page=_entry_page,
        attach=lambda e, user, files, caption: services.entry_attach(
            entry=e, actor=user, files=files, caption=caption
        ),
    )


@require_POST
@login_required
def visit_attach(request, pk: int):
    visit = permissions.get_visit_for(request.user, pk)
    return _attach(
        request,
        target=visit,
        page=_visit_page,
        attach=lambda v, user, files, caption: services.visit_attach(
            visit=v, actor=user, files=files, caption=caption
        ),
    )


@require_POST
@login_required
def attachment_withdraw(request, pk: int):
    attachment = permissions.get_attachment_for(request.user, pk)
    name = withdraw_form_name(attachment)
    form = WithdrawForm(request.POST, prefix=name)
    status = HTTPStatus.BAD_REQUEST
    if form.is_valid():
        try:
            services.attachment_withdraw(
                attachment=attachment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except evidence.AttachRefused as error:
            messages.error(request, str(error))
            status = _refusal_status(error)
        except ValidationError as error:
            form.add_error("reason", error.message_dict.get("reason") or error.messages)
        else:
            messages.success(request, _("The file was withdrawn; it stays on record."))
            return redirect(_owner_url(request.user, attachment))
    if attachment.entry_id:
        return _entry_page(request, attachment.entry, status=status, forms={name: form})
    visit = permissions.visible_visits(request.user).filter(pk=attachment.visit_id).first()
    if visit is None:  # seen through an entry heard on the visit: not the visit's page
        raise PermissionDenied
    visit = permissions.get_visit_for(request.user, visit.pk)
    return _visit_page(request, visit, status=status, forms={name: form})


def _owner_url(user: User, attachment: Attachment) -> str:
    if attachment.entry_id:
        return attachment.entry.get_absolute_url() + "#attachments"
    return reverse("liaison:visit_detail", args=[attachment.visit_id]) + "#attachments"


# -- Serving ------------------------------------------------------------------------------------


def _serve(key: str, *, content_type: str, name: str, inline: bool) -> FileResponse:
    try:
        handle = attachment_storage().open(key, "rb")
    except (FileNotFoundError, OSError) as error:  # the row without its file: as missing
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline,
                            filename=name)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = FILE_CSP
    return response


@require_safe
@login_required
def attachment_file(request, pk: int):
    """The file as stored, with the type its content was found to be (never the browser's
    claim): a photo shown inline, a document downloaded."""
    attachment = permissions.get_attachment_for(request.user, pk)
    return _serve(attachment.storage_key, content_type=attachment.content_type,
                  name=attachment.name, inline=attachment.is_image)  # fmt: skip


@require_safe
@login_required
def attachment_thumbnail(request, pk: int):
    attachment = permissions.get_attachment_for(request.user, pk)
    if not attachment.thumbnail_key:
        raise Http404
    return _serve(attachment.thumbnail_key, content_type=THUMBNAIL_TYPE, name=attachment.name,
                  inline=True)  # fmt: skip
