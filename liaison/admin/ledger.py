"""Entries and their timeline (read-only: entries change through the workflow's services)."""

from django.contrib import admin

from liaison.models import (
    Entry,
    EntryEvent,
)


class EntryEventInline(admin.TabularInline):
    model = EntryEvent
    fields = ("at", "kind", "actor", "note", "before", "after")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Entries are read here, never changed: they change only through the workflow services,
    which check the state, the role and the version and write the timeline."""

    list_display = ("number", "title", "kind", "colour", "status", "org", "owner", "due_on")
    list_filter = ("status", "kind", "colour", "level", "is_overdue", "replied_on_time")
    search_fields = ("number", "title")
    list_select_related = ("org", "owner")
    date_hierarchy = "recorded_on"
    inlines = [EntryEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EntryEvent)
class EntryEventAdmin(admin.ModelAdmin):
    list_display = ("at", "entry", "kind", "actor")
    list_filter = ("kind",)
    search_fields = ("entry__number", "note")
    list_select_related = ("entry", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# -- the working-day calendar and the taxonomies (R1, R15) --------------------------------------
