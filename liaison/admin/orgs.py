"""The org tree, units, people, pairings and import jobs (accounts: liaison.admin.accounts;
the audit log is the audit administrator's page, not the admin's)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from liaison.admin.audited import AuditedAdmin
from liaison.models import (
    PAIRING_SIDE_COLUMNS,
    ImportJob,
    OrgNode,
    Pairing,
    Person,
    Unit,
)
from liaison.permissions import can_maintain_master_data
from liaison.services.orgs import org_node_check, org_node_create, org_node_update
from liaison.services.pairings import pairing_check_rules


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

    def has_module_permission(self, request):
        return request.user.is_active and can_maintain_master_data(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and can_maintain_master_data(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
