"""Channels, service categories and their items (R15)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from liaison.admin.audited import AuditedAdmin, audited_fields, audited_value
from liaison.models import (
    AuditEvent,
    Channel,
    ChannelCategory,
    ServiceCategory,
    ServiceItem,
)
from liaison.services.audit import audit_changes, audit_record


@admin.register(ChannelCategory)
class ChannelCategoryAdmin(AuditedAdmin):
    """A category of channels (渠道大类): internal or external."""

    list_display = ("name", "scope", "position", "is_active")
    list_filter = ("scope", "is_active")
    search_fields = ("name",)


@admin.register(Channel)
class ChannelAdmin(AuditedAdmin):
    """A channel (方面) in its category; with dates, a campaign (专项活动)."""

    list_display = ("name", "scope", "category", "starts_on", "ends_on", "position", "is_active")
    list_filter = ("scope", "category", "is_active")
    list_select_related = ("category",)
    search_fields = ("name", "category__name")
    fields = ("name", "scope", "category", "starts_on", "ends_on", "position", "is_active")


class ServiceItemInline(admin.TabularInline):
    model = ServiceItem
    fields = ("name", "default_department", "position", "is_active")
    autocomplete_fields = ("default_department",)
    extra = 1
    can_delete = False


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AuditedAdmin):
    """A category with its items; each save of the category or an item is audited."""

    list_display = ("name", "position", "is_active", "item_count")
    list_filter = ("is_active",)
    search_fields = ("name", "items__name")
    inlines = [ServiceItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_item_count=Count("items"))

    @admin.display(description=_("items"), ordering="_item_count")
    def item_count(self, obj):
        return obj._item_count

    def save_formset(self, request, form, formset, change):
        changed = [item_form for item_form in formset.forms if item_form.has_changed()]
        stored_pks = [item_form.instance.pk for item_form in changed if item_form.instance.pk]
        stored = formset.model._default_manager.in_bulk(stored_pks)
        super().save_formset(request, form, formset, change)
        for item_form in changed:
            obj = item_form.instance
            fields = audited_fields(obj, item_form)
            old = stored.get(obj.pk)
            before = {name: audited_value(old, name) for name in fields} if old else {}
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.UPDATED if old else AuditEvent.Action.CREATED,
                obj=obj,
                summary=str(obj),
                data=audit_changes(before, {name: audited_value(obj, name) for name in fields}),
            )


@admin.register(ServiceItem)
class ServiceItemAdmin(AuditedAdmin):
    list_display = ("name", "category", "default_department", "position", "is_active")
    list_filter = (
        "category",
        "is_active",
        ("default_department", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("name", "category__name", "default_department__name")
    autocomplete_fields = ("default_department",)
    list_select_related = ("category", "default_department")
    ordering = ("category__position", "category__name", "position", "name")
