"""Attaching photos and files to an entry or a visit, and withdrawing them (R23).

Every file of a submission is checked first (liaison.uploads: by content, size, pixels, zip
bombs), then the count, then written to the "attachments" storage and recorded in one
transaction with its event: an EntryEvent on the entry's timeline, or an AuditEvent for a
visit. All of a submission or none of it: when anything fails after a file was written, the
files written are removed again, so the storage never holds a file without its row.

Who may attach and withdraw: liaison.evidence.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.constants import EventKind
from liaison.evidence import entry_attach_step, visit_attach_check, withdraw_check
from liaison.models import Attachment, AuditEvent, Entry, User, Visit
from liaison.services.audit import audit_record
from liaison.services.entries import entry_event, entry_lock
from liaison.services.visits import LoggedVisit, VisitRejected, visit_log
from liaison.uploads import (
    CheckedUpload,
    UploadLimits,
    UploadRefused,
    attachment_storage,
    check_upload,
    storage_key,
)

logger = logging.getLogger(__name__)

CAPTION_MAX_LENGTH = 100
REASON_MAX_LENGTH = 200


class AttachmentRefused(Exception):
    """Nothing was attached: `messages` say why (a 400 with the form again)."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def attachments_check(*, files: Sequence[Any]) -> list[CheckedUpload]:
    """Check every file (liaison.uploads) and return what to store; raise AttachmentRefused
    with every file's reason at once."""
    if not files:
        raise AttachmentRefused([_("Choose at least one photo or file.")])
    limits = UploadLimits.from_settings()
    checked, refused = [], []
    for upload in files:
        try:
            checked.append(check_upload(upload, limits))
        except UploadRefused as error:
            refused.append(str(error))
    if refused:
        raise AttachmentRefused(refused)
    return checked


def _count_check(*, already: int, adding: int) -> None:
    limit = settings.ATTACHMENT_MAX_PER_OBJECT
    if already + adding > limit:
        raise AttachmentRefused(
            [
                _(
                    "At most %(limit)d files may be attached here (withdrawn ones count too: "
                    "nothing is deleted); %(left)d more may be added."
                )
                % {"limit": limit, "left": max(0, limit - already)}
            ]
        )


@contextlib.contextmanager
def _files_kept_on_success() -> Iterator[list[str]]:
    """Yield a list for the storage keys written inside; if the block fails, delete them."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = attachment_storage()
        for key in written:
            try:
                storage.delete(key)
            except Exception:  # the row was not written either: log it, raise the first error
                logger.exception("Could not remove the stored attachment %s", key)
        raise


def _store(checked: Sequence[CheckedUpload], written: list[str], **fields: Any) -> list[Attachment]:
    """Write each file (and thumbnail) to storage and its row; the keys go into `written`."""
    storage = attachment_storage()
    rows = []
    for upload in checked:
        key = storage.save(storage_key(upload.extension), ContentFile(upload.content))
        written.append(key)
        thumb = ""
        if upload.thumbnail is not None:
            thumb = storage.save(
                storage_key(".jpg", suffix="-thumb"), ContentFile(upload.thumbnail)
            )
            written.append(thumb)
        attachment = Attachment(
            kind=upload.kind,
            name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            storage_key=key,
            thumbnail_key=thumb,
            **fields,
        )
        attachment.full_clean()
        attachment.save()
        rows.append(attachment)
    return rows


def _caption(caption: str) -> str:
    caption = caption.strip()
    if len(caption) > CAPTION_MAX_LENGTH:
        raise AttachmentRefused(
            [_("The caption may be at most %(n)d characters.") % {"n": CAPTION_MAX_LENGTH}]
        )
    return caption


def entry_attach(
    *, entry: Entry, actor: User, files: Sequence[Any], caption: str = ""
) -> list[Attachment]:
    """Attach `files` to `entry` at the step the entry is at for `actor` (liaison.evidence),
    with one event on its timeline. Raise AttachRefused (who, or the entry's state),
    AttachmentRefused (the files, the count); nothing is stored then. The entry's version does
    not change: a file is no edit of the entry, and the forms open elsewhere stay valid."""
    entry_attach_step(entry=entry, user=actor)  # before reading any file
    caption = _caption(caption)
    checked = attachments_check(files=files)
    with _files_kept_on_success() as written, transaction.atomic():
        locked = entry_lock(entry=entry)  # two uploads at once take turns with the count
        step = entry_attach_step(entry=locked, user=actor)
        _count_check(already=Attachment.objects.filter(entry=locked).count(), adding=len(checked))
        rows = _store(checked, written, entry=locked, step=step, caption=caption, uploaded_by=actor)
        entry_event(
            entry=locked,
            kind=EventKind.ATTACHED,
            actor=actor,
            note=caption,
            after={"attachment_step": step, "files": ", ".join(row.name for row in rows)},
        )
    return rows


def visit_attach(
    *, visit: Visit, actor: User, files: Sequence[Any], caption: str = ""
) -> list[Attachment]:
    """Attach `files` to `visit`, with an audit row; raise as entry_attach."""
    visit_attach_check(visit=visit, user=actor)
    caption = _caption(caption)
    checked = attachments_check(files=files)
    with _files_kept_on_success() as written, transaction.atomic():
        return _visit_store(visit=visit, actor=actor, checked=checked, caption=caption,
                            written=written)  # fmt: skip


def _visit_store(
    *, visit: Visit, actor: User, checked: Sequence[CheckedUpload], caption: str, written: list
) -> list[Attachment]:
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    _count_check(already=Attachment.objects.filter(visit=locked).count(), adding=len(checked))
    rows = _store(checked, written, visit=locked, caption=caption, uploaded_by=actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=locked,
        summary=_("Files attached to the visit: %(names)s")
        % {"names": ", ".join(r.name for r in rows)},
        data={"attachments": [row.pk for row in rows], "caption": caption},
    )
    return rows


def visit_log_attached(
    *, actor: User, files: Sequence[Any], caption: str = "", **visit: Any
) -> LoggedVisit:
    """Log a visit (services.visits.visit_log) with the photos and files taken there, all or
    nothing. A refused file is reported with the visit's own objections, as VisitRejected
    (its "files" key)."""
    refused: list[str] = []
    checked: list[CheckedUpload] = []
    try:
        caption = _caption(caption)
        checked = attachments_check(files=files) if files else []
    except AttachmentRefused as error:
        refused = error.messages
    with _files_kept_on_success() as written, transaction.atomic():
        try:
            logged = visit_log(actor=actor, **visit)
        except VisitRejected as error:
            if refused:
                error.visit_errors["files"] = refused
            raise
        if refused:
            raise VisitRejected(visit_errors={"files": refused})
        if checked:
            _visit_store(visit=logged.visit, actor=actor, checked=checked, caption=caption,
                         written=written)  # fmt: skip
    return logged


def attachment_withdraw(*, attachment: Attachment, actor: User, reason: str) -> Attachment:
    """Withdraw a file with a reason (R23: never deleted; it stays on the timeline and is still
    served to those who may see it, marked withdrawn). An entry's withdrawal is an event on
    its timeline; a visit's an audit row. Raise AttachRefused or ValidationError."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the file is withdrawn.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": REASON_MAX_LENGTH}})
    with transaction.atomic():
        locked = (
            Attachment.objects.select_for_update(of=("self",))
            .select_related("entry__org", "visit__org")
            .get(pk=attachment.pk)
        )
        withdraw_check(attachment=locked, user=actor)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.withdraw_reason = reason
        locked.full_clean()
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        if locked.entry is not None:
            entry_event(
                entry=locked.entry,
                kind=EventKind.ATTACHMENT_WITHDRAWN,
                actor=actor,
                note=reason,
                before={"files": locked.name},
            )
        else:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.DEACTIVATED,
                obj=locked,
                summary=_("File withdrawn from the visit: %(name)s") % {"name": locked.name},
                data={"visit": locked.visit_id, "reason": reason},
            )
    return locked
