"""The knowledge base (知识库): the party-building department writes, retires and restores reply
templates (nothing is deleted; an audit event each); a saved reply or plan that started from a
template counts one use of it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import permissions
from liaison.constants import TemplateUse, template_uses_for
from liaison.models import AuditEvent, Entry, ReplyTemplate, ServiceItem, User
from liaison.services.audit import audit_changes, audit_record

# What an editor writes; the rest (counts, who and when) the services keep.
TEMPLATE_FIELDS = ("item", "title", "text", "policy_refs", "use", "position")


class TemplateConflict(Exception):
    """The template changed since the editor's page was loaded (R16): nothing was saved."""


def _check_editor(actor: User) -> None:
    if not permissions.can_edit_knowledge(actor):
        raise PermissionDenied(_("Only the party-building department edits the knowledge base."))


def _describe(template: ReplyTemplate) -> dict:
    return {
        "item": str(template.item) if template.item_id else "",
        "title": template.title,
        "text": template.text,
        "policy_refs": template.policy_refs,
        "use": template.use,
        "position": template.position,
        "is_active": template.is_active,
    }


def _validate(template: ReplyTemplate) -> None:
    """full_clean, then: an active item, and no other active template of the same item (or of
    every item) with the same title, so that the picker never lists two alike."""
    template.full_clean()
    if template.item is not None and not template.item.is_active:
        raise ValidationError({"item": _("This service item is no longer in use.")})
    same = ReplyTemplate.objects.filter(
        item_id=template.item_id, title=template.title, is_active=True
    ).exclude(pk=template.pk)
    if template.is_active and same.exists():
        raise ValidationError(
            {"title": _("Another active template of this service item has this title.")}
        )


@transaction.atomic
def reply_template_create(
    *,
    actor: User,
    item: ServiceItem | None,
    title: str,
    text: str,
    policy_refs: str = "",
    use: str = TemplateUse.REPLY,
    position: int = 0,
) -> ReplyTemplate:
    """Write a new template (for every item when `item` is None). Raise ValidationError,
    writing nothing, if a field is invalid."""
    _check_editor(actor)
    template = ReplyTemplate(
        item=item,
        title=title,
        text=text,
        policy_refs=policy_refs,
        use=use,
        position=position,
        created_by=actor,
        updated_by=actor,
    )
    _validate(template)
    template.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=template,
        summary=_("Reply template written: %(title)s") % {"title": template.title},
        data={"after": _describe(template)},
    )
    return template


def _locked(template: ReplyTemplate, expected_version: int | None) -> ReplyTemplate:
    locked = (
        ReplyTemplate.objects.select_for_update(of=("self",))
        .select_related("item")
        .get(pk=template.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise TemplateConflict(
            _(
                "Someone else changed this template after you opened it; nothing was saved. "
                "Check it as it now stands, then save again."
            )
        )
    return locked


def _save(*, template: ReplyTemplate, actor: User, before: dict, summary: str) -> ReplyTemplate:
    after = _describe(template)
    changes = audit_changes(before, after)
    if not changes:
        return template
    template.version += 1
    template.updated_by = actor
    template.save()
    action = AuditEvent.Action.UPDATED
    if changes.keys() == {"is_active"} and not template.is_active:
        action = AuditEvent.Action.DEACTIVATED
    audit_record(
        actor=actor,
        action=action,
        obj=template,
        summary=summary % {"title": template.title},
        data={"changes": changes},
    )
    return template


@transaction.atomic
def reply_template_update(
    *, template: ReplyTemplate, actor: User, expected_version: int, **fields
) -> ReplyTemplate:
    """Change the fields given (of TEMPLATE_FIELDS) if the template is still at
    `expected_version`; else raise TemplateConflict. Raise ValidationError, writing nothing,
    if a field is invalid."""
    _check_editor(actor)
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"not a template field: {sorted(unknown)}")
    locked = _locked(template, expected_version)
    before = _describe(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    _validate(locked)
    return _save(
        template=locked, actor=actor, before=before, summary=_("Reply template changed: %(title)s")
    )


@transaction.atomic
def reply_template_retire(*, template: ReplyTemplate, actor: User) -> ReplyTemplate:
    """Stop offering the template; it stays, with its counts, and can be restored."""
    _check_editor(actor)
    locked = _locked(template, None)
    before = _describe(locked)
    locked.is_active = False
    return _save(
        template=locked, actor=actor, before=before, summary=_("Reply template retired: %(title)s")
    )


@transaction.atomic
def reply_template_restore(*, template: ReplyTemplate, actor: User) -> ReplyTemplate:
    """Offer a retired template again (unless an active one of its item has its title)."""
    _check_editor(actor)
    locked = _locked(template, None)
    before = _describe(locked)
    locked.is_active = True
    _validate(locked)
    return _save(
        template=locked, actor=actor, before=before, summary=_("Reply template restored: %(title)s")
    )


def reply_template_use(*, template_id: int | None, entry: Entry, step: str) -> str | None:
    """Count one use of the template a reply or plan of `entry` started from (call inside the
    reply's or plan's transaction, so that a refused reply counts nothing). `step` is
    TemplateUse.REPLY or .PLAN. A template that is retired, belongs to another service item or
    to the other step is ignored, never refused: the reply does not depend on it. Return the
    template's title when counted, else None."""
    if not template_id:
        return None
    applies = (
        ReplyTemplate.objects.filter(
            pk=template_id, is_active=True, use__in=template_uses_for(step)
        )
        .filter(Q(item_id=entry.item_id) | Q(item__isnull=True))
        .values_list("title", flat=True)
    )
    title = applies.first()
    if title is None:
        return None
    # One UPDATE adds to the count in the database, so that replies saved at once all count.
    ReplyTemplate.objects.filter(pk=template_id).update(
        usage_count=F("usage_count") + 1, last_used_at=timezone.now()
    )
    return title
