"""Django admin for the org tree, units, people, accounts and pairings.

Nothing here is hard-deleted: rows are deactivated (or a pairing ended) instead, and each save
writes an audit event, with the before and after of every changed field, in the admin's
transaction. The org tree is changed only through its service, which keeps the tree's rules.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from liaison.models import (
    PAIRING_SIDE_COLUMNS,
    AuditEvent,
    CalendarDay,
    CalendarYear,
    Channel,
    Entry,
    EntryEvent,
    ImportJob,
    OrgNode,
    Pairing,
    Person,
    ServiceCategory,
    ServiceItem,
    Unit,
    User,
)
from liaison.services import calendar as calendar_service
from liaison.services.audit import audit_changes, audit_record
from liaison.services.orgs import org_node_check, org_node_create, org_node_update
from liaison.services.pairings import pairing_check_rules

# Never in an audit event, not even hashed.
NOT_AUDITED = frozenset({"password"})


class AuditedAdmin(admin.ModelAdmin):
    """Write an audit event with every save, {field: [before, after]} as text; never delete."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = _audited_fields(obj, form)
        before = {}
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            before = {name: _value(stored, name) for name in fields}
        super().save_model(request, obj, form, change)
        after = {name: _value(obj, name, form) for name in fields}
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATED if change else AuditEvent.Action.CREATED,
            obj=obj,
            summary=str(obj),
            data=audit_changes(before, after),
        )


def _audited_fields(obj, form) -> list[str]:
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


def _value(obj, name: str, form=None):
    """Return a field's value; for many-to-many, the chosen objects (saved after save_model)."""
    if obj._meta.get_field(name).many_to_many:
        return list(form.cleaned_data[name]) if form is not None else list(getattr(obj, name).all())
    return getattr(obj, name)


class _TreeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * (obj.depth - 1)}{obj.name} ({obj.code})"


class OrgNodeAddForm(forms.ModelForm):
    """A new node: where it goes and what it is. The tree service decides whether it may."""

    parent = _TreeChoiceField(
        label=_("parent"),
        queryset=OrgNode.objects.order_by("path"),
        required=False,
        help_text=_("The organisation directly above; empty only for the company at the top."),
    )

    class Meta:
        model = OrgNode
        fields = ("parent", "kind", "code", "name", "branch_type")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            node = org_node_check(
                parent=data.get("parent"),
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                branch_type=data.get("branch_type", ""),
            )
        except ValidationError as error:
            self.add_error(None, error)
        else:
            data["branch_type"] = node.branch_type  # a group's, taken from its branch
        return data

    def _post_clean(self):
        """Skip the model's own checks: org_node_check in clean() ran them on the whole node."""


@admin.register(OrgNode)
class OrgNodeAdmin(AuditedAdmin):
    """The tree in order, indented. Add through the tree service; change the name, code and
    activity only; never move or delete (a moved node would break the tree's rules)."""

    list_display = ("indented_name", "code", "kind", "branch_type", "depth", "is_active")
    list_filter = ("kind", "branch_type", "is_active")
    search_fields = ("name", "code")
    ordering = ("path",)
    sortable_by = ()  # the indentation only makes sense in tree order

    @admin.display(description=_("name"))
    def indented_name(self, obj):
        return format_html('<span style="padding-left: {}em">{}</span>', 1.5 * (obj.depth - 1), obj)

    @admin.display(description=_("place in the tree"))
    def place(self, obj):
        return " / ".join(node.name for node in OrgNode.objects.get_ancestors(obj)) or "—"

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ("parent", "kind", "code", "name", "branch_type")})]
        return [(None, {"fields": ("name", "code", "is_active", "kind", "branch_type", "place")})]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("kind", "branch_type", "place")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = OrgNodeAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            org_node_update(
                actor=request.user,
                node=OrgNode.objects.get(pk=obj.pk),  # as stored: the service audits the change
                name=obj.name,
                code=obj.code,
                is_active=obj.is_active,
            )
            return
        data = form.cleaned_data
        node = org_node_create(
            actor=request.user,
            parent=data["parent"],
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            branch_type=data["branch_type"],
        )
        obj.pk = node.pk  # the admin's messages and redirect name the new node
        obj.refresh_from_db()


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "code", "kind", "branch", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "branch__name")
    autocomplete_fields = ("branch", "parent")
    list_select_related = ("branch", "parent")


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = (
        "name",
        "code",
        "kind",
        "org",
        "unit",
        "is_party_member",
        "is_frontline",
        "is_special_needs",
        "is_active",
    )
    list_filter = ("kind", "is_party_member", "is_frontline", "is_special_needs", "is_active")
    search_fields = ("name", "code", "phone", "org__name", "unit__name")
    autocomplete_fields = ("org", "unit")
    list_select_related = ("org", "unit")


class PairingAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        sides = {column: data.get(column) for column in PAIRING_SIDE_COLUMNS}
        try:
            pairing_check_rules(pairing=Pairing(kind=data.get("kind", ""), **sides))
        except ValidationError as error:
            self.add_error(None, error)
        return data


@admin.register(Pairing)
class PairingAdmin(AuditedAdmin):
    form = PairingAdminForm
    list_display = ("kind", "subject_display", "target_display", "start_on", "end_on")
    list_filter = ("kind", "start_on", "end_on")
    search_fields = (
        "person__name",
        "org__name",
        "target_person__name",
        "target_unit__name",
        "target_org__name",
    )
    autocomplete_fields = ("person", "org", "target_person", "target_unit", "target_org")
    list_select_related = ("person", "org", "target_person", "target_unit", "target_org")
    date_hierarchy = "start_on"

    @admin.display(description=_("liaison side"))
    def subject_display(self, obj):
        return obj.subject

    @admin.display(description=_("paired with"))
    def target_display(self, obj):
        return obj.target


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "role", "scope_org", "department", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "person__name")
    autocomplete_fields = ("person", "scope_org", "department")
    list_select_related = ("scope_org", "department")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "person", "scope_org", "department")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "person", "scope_org", "department")}),
    )

    def user_change_password(self, request, id, form_url=""):
        """Change the password as Django does, and say so in the audit trail (never the hash)."""
        with transaction.atomic():
            stored = User.objects.filter(pk=unquote(id)).values_list("password", flat=True)
            before = stored.first()
            response = super().user_change_password(request, id, form_url)
            if before is not None and stored.first() != before:
                user = User.objects.get(pk=unquote(id))
                audit_record(
                    actor=request.user,
                    action=AuditEvent.Action.UPDATED,
                    obj=user,
                    summary=str(user),
                    data={"password_changed": True},
                )
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id")
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "filename", "uploaded_by", "dry_run", "status", "total_rows")
    list_filter = ("status", "dry_run")
    exclude = ("content",)
    readonly_fields = (
        "filename",
        "uploaded_by",
        "dry_run",
        "status",
        "total_rows",
        "processed_rows",
        "errors",
        "summary",
        "started_at",
        "finished_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class CalendarDayAdminForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "is_working", "note")

    def clean_date(self):
        date = self.cleaned_data["date"]
        calendar_service.calendar_check_year(date.year)
        return date


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    """A day saved here goes through the calendar service: it is audited and the due dates of
    the open entries it touches are recomputed. A day is removed on the calendar page."""

    form = CalendarDayAdminForm
    list_display = ("date", "is_working", "note", "updated_by", "updated_at")
    list_filter = ("is_working",)
    search_fields = ("note",)
    date_hierarchy = "date"
    list_select_related = ("updated_by",)

    def get_readonly_fields(self, request, obj=None):
        return ("date",) if obj else ()

    def save_model(self, request, obj, form, change):
        result = calendar_service.calendar_day_set(
            actor=request.user, date=obj.date, is_working=obj.is_working, note=obj.note
        )
        _report_recompute(request, result)
        obj.pk = result.obj.pk
        obj.refresh_from_db()


class CalendarYearAdminForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ("year", "note")

    def clean_year(self):
        year = self.cleaned_data["year"]
        calendar_service.calendar_check_year(year)
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    """A year saved here is marked entered (its due dates stop being provisional) through the
    calendar service; enter its days on the calendar page or as calendar days."""

    form = CalendarYearAdminForm
    list_display = ("year", "note", "entered_by", "entered_at")
    search_fields = ("note",)
    list_select_related = ("entered_by",)

    def get_readonly_fields(self, request, obj=None):
        return ("year",) if obj else ()

    def save_model(self, request, obj, form, change):
        result = calendar_service.calendar_year_confirm(
            actor=request.user, year=obj.year, note=obj.note
        )
        _report_recompute(request, result)
        obj.pk = result.obj.pk
        obj.refresh_from_db()


def _report_recompute(request, result: calendar_service.CalendarChange) -> None:
    messages.info(
        request,
        ngettext(
            "%(count)s open entry got a new due date.",
            "%(count)s open entries got a new due date.",
            result.recomputed,
        )
        % {"count": result.recomputed},
    )


@admin.register(Channel)
class ChannelAdmin(AuditedAdmin):
    list_display = ("name", "scope", "position", "is_active")
    list_filter = ("scope", "is_active")
    search_fields = ("name",)


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
            fields = _audited_fields(obj, item_form)
            old = stored.get(obj.pk)
            before = {name: _value(old, name) for name in fields} if old else {}
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.UPDATED if old else AuditEvent.Action.CREATED,
                obj=obj,
                summary=str(obj),
                data=audit_changes(before, {name: _value(obj, name) for name in fields}),
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
