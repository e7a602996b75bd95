"""The admin's base: every save writes an audit event with the before and after of each
changed field, in the admin's transaction; nothing is hard-deleted."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist

from liaison.models import (
    AuditEvent,
)
from liaison.services.audit import audit_changes, audit_record

# Never in an audit event, not even hashed.
NOT_AUDITED = frozenset({"password"})


class AuditedAdmin(admin.ModelAdmin):
    """Write an audit event with every save, {field: [before, after]} as text; never delete."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = audited_fields(obj, form)
        before = {}
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            before = {name: audited_value(stored, name) for name in fields}
        super().save_model(request, obj, form, change)
        after = {name: audited_value(obj, name, form) for name in fields}
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATED if change else AuditEvent.Action.CREATED,
            obj=obj,
            summary=str(obj),
            data=audit_changes(before, after),
        )


def audited_fields(obj, form) -> list[str]:
    """The model fields the form changed (a form's own fields, such as password1, are not)."""
    names = []
    for name in form.changed_data:
        try:
            obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if name not in NOT_AUDITED:
            names.append(name)
    return names


def audited_value(obj, name: str, form=None):
    """Return a field's value; for many-to-many, the chosen objects (saved after save_model)."""
    if obj._meta.get_field(name).many_to_many:
        return list(form.cleaned_data[name]) if form is not None else list(getattr(obj, name).all())
    return getattr(obj, name)
