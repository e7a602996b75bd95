"""Accounts in the Django admin, split between the separated administrators (三员分立):

- the system administrator (Role.ADMINISTRATOR) creates accounts, edits their names, person and
  e-mail, sets passwords and disables them; the role, scope, department, admin access and groups
  are read-only to them;
- the security administrator (Role.SECURITY_ADMIN) changes roles, scopes, departments, admin
  access (is_staff) and groups, and nothing else; never their own account;
- the audit administrator never enters the admin (is_staff stays off).

Nobody sets `is_superuser` or per-user permissions here: the superuser is created at
installation with `createsuperuser`, and its every request is audited
(liaison.middleware.SuperuserAuditMiddleware). A role or scope change writes its own audit
event (ROLE_CHANGED, SCOPE_CHANGED) beside the admin's field-by-field one.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.admin.audited import AuditedAdmin
from liaison.models import AuditEvent, User
from liaison.permissions import can_manage_accounts, can_manage_security
from liaison.services.audit import audit_record, audit_text
from liaison.services.passwords import password_history_keep, password_record

# What the security administrator edits; everything else of an account is the system
# administrator's. No one edits is_superuser or user_permissions in the admin.
SECURITY_FIELDS = ("role", "scope_org", "department", "is_staff", "groups")
ACCOUNT_FIELDS = (
    "username", "first_name", "last_name", "email", "person", "is_active", "must_change_password"
)  # fmt: skip
NEVER_EDITED = (
    "is_superuser", "user_permissions", "last_login", "date_joined", "password_changed_at"
)  # fmt: skip
SCOPE_FIELDS = ("scope_org", "department")


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "role", "scope_org", "department", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "person__name")
    autocomplete_fields = ("person", "scope_org", "department")
    list_select_related = ("scope_org", "department")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "person")}),
        (_("Account"), {"fields": ("is_active", "last_login", "date_joined")}),
        (_("Password policy"), {"fields": ("must_change_password", "password_changed_at")}),
        (
            _("Role, scope and access (the security administrator's)"),
            {"fields": ("role", "scope_org", "department", "is_staff", "groups", "is_superuser")},
        ),
    )
    # A new account has no role yet: the security administrator gives it one (and its scope).
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "person")}),
    )

    # -- who may do what -----------------------------------------------------------------------

    def _either(self, request) -> bool:
        return can_manage_accounts(request.user) or can_manage_security(request.user)

    def has_module_permission(self, request):
        return self._either(request)

    def has_view_permission(self, request, obj=None):
        return self._either(request)

    def has_change_permission(self, request, obj=None):
        if not self._either(request):
            return False
        # The security administrator never edits their own role, scope or access.
        own = obj is not None and obj.pk == request.user.pk
        return not (own and not request.user.is_superuser and not can_manage_accounts(request.user))

    def has_add_permission(self, request):
        return can_manage_accounts(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("password_changed_at",)
        if request.user.is_superuser:
            return NEVER_EDITED
        if can_manage_security(request.user):
            return (*ACCOUNT_FIELDS, "password", *NEVER_EDITED)
        return (*SECURITY_FIELDS, *NEVER_EDITED)

    def user_change_password(self, request, id, form_url=""):
        """Set a password (the system administrator's): stamp it, keep it in the history and say
        so in the audit trail (never the hash); one set for someone else is changed at their next
        login (liaison.services.passwords)."""
        if not can_manage_accounts(request.user):
            raise PermissionDenied
        with transaction.atomic():
            stored = User.objects.filter(pk=unquote(id)).values_list("password", flat=True)
            before = stored.first()
            response = super().user_change_password(request, id, form_url)
            if before is not None and stored.first() != before:
                user = User.objects.get(pk=unquote(id))
                password_record(user=user, actor=request.user, must_change=user != request.user)
        return response

    def save_model(self, request, obj, form, change):
        """The admin's audit event, then one for a role change and one for a scope change. An
        account an administrator creates changes its password at its first login (the password's
        hash only goes to the history)."""
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        if not change:
            obj.must_change_password = True
            obj.password_changed_at = timezone.now()
        super().save_model(request, obj, form, change)
        if not change:
            password_history_keep(user=obj)
        if stored is None:
            return
        if stored.role != obj.role:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.ROLE_CHANGED,
                obj=obj,
                summary=f"{obj}: {stored.get_role_display()} → {obj.get_role_display()}",
                data={"role": [stored.role, obj.role]},
            )
        scope = {
            name: [audit_text(getattr(stored, name)), audit_text(getattr(obj, name))]
            for name in SCOPE_FIELDS
            if getattr(stored, f"{name}_id") != getattr(obj, f"{name}_id")
        }
        if scope:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.SCOPE_CHANGED,
                obj=obj,
                summary=f"{obj}: scope changed",
                data=scope,
            )
