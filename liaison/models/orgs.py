"""Org tree, business units, people and user accounts: data and invariants only."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from common.expressions import AnyOf
from common.prepared import Param
from liaison.constants import (
    ADMINISTRATOR_ROLES,
    EXTERNAL_PERSON_KINDS,
    FRONTLINE_UNIT_KINDS,
    NO_LEDGER_ROLES,
    ORG_CHILD_KINDS,
    SCOPED_ROLES,
    BranchType,
    OrgKind,
    PersonKind,
    Role,
    UnitKind,
)

CODE_MAX_LENGTH = 32


class OrgNode(MP_Node):
    """A node of the Party organisation tree, stored as a materialised path (treebeard)."""

    Kind = OrgKind  # for templates: node.kind == node.Kind.GROUP

    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    branch_type = models.CharField(
        _("branch type"),
        max_length=12,
        choices=BranchType.choices,
        blank=True,
        help_text=_("Office or grassroots; required for branches and their groups."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=[OrgKind.BRANCH, OrgKind.GROUP]) | ~Q(branch_type=""),
                name="orgnode_branch_has_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind in (OrgKind.BRANCH, OrgKind.GROUP) and not self.branch_type:
            raise ValidationError({"branch_type": _("A branch or group needs a branch type.")})

    def get_absolute_url(self) -> str:
        return reverse("liaison:org_detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        """The kind as people say it: a branch is an office or a grassroots branch."""
        if self.kind == OrgKind.BRANCH and self.branch_type:
            return BranchType(self.branch_type).label
        return OrgKind(self.kind).label

    def can_hold(self, child_kind: str) -> bool:
        """Return whether a node of `child_kind` may hang directly under this node."""
        return child_kind in ORG_CHILD_KINDS[self.kind]


class Unit(models.Model):
    """A business unit: a professional department, or a team, station, supply office, substation."""

    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    branch = models.ForeignKey(
        OrgNode,
        verbose_name=_("covering branch"),
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("The party branch that covers this unit."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("business unit")
        verbose_name_plural = _("business units")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "branch"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("liaison:unit_detail", args=[self.pk])

    @property
    def is_frontline(self) -> bool:
        """A team, station, supply office or substation: not a professional department."""
        return self.kind in FRONTLINE_UNIT_KINDS


class Person(models.Model):
    """Anyone the ledger is about: an employee, or an external party with contact details."""

    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PersonKind.choices)
    org = models.ForeignKey(
        OrgNode,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="people",
        help_text=_(
            "Employees: their party branch or group. External parties: the branch that serves them."
        ),
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_frontline = models.BooleanField(_("frontline employee"), default=False)
    is_special_needs = models.BooleanField(_("special-needs employee"), default=False)
    special_needs_note = models.CharField(_("special needs"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person or party")
        verbose_name_plural = _("people and parties")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["org", "kind"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=PersonKind.EMPLOYEE)
                | Q(is_party_member=False, is_frontline=False, is_special_needs=False),
                name="person_external_has_no_employee_flags",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("liaison:person_detail", args=[self.pk])

    @property
    def is_external(self) -> bool:
        return self.kind in EXTERNAL_PERSON_KINDS

    def clean(self) -> None:
        if self.is_external and (
            self.is_party_member or self.is_frontline or self.is_special_needs
        ):
            raise ValidationError(
                _("Only an employee can be a party member, frontline or special-needs employee.")
            )


class User(AbstractUser):
    """A login, linked to a person, with a role and a scope in the org tree (DESIGN.md §3)."""

    class Source(models.TextChoices):
        """Where the account comes from: made here, or by signing on against the directory."""

        LOCAL = "local", _("Local account")
        DIRECTORY = "directory", _("Directory (LDAP)")

    source = models.CharField(
        _("source"),
        max_length=10,
        choices=Source.choices,
        default=Source.LOCAL,
        help_text=_(
            "Directory accounts sign on with their directory password; their role and scope "
            "follow the directory's groups and org units."
        ),
    )
    # Empty for a new account until the security administrator gives it a role (三员分立: the
    # system administrator who creates it does not): it reads nothing meanwhile.
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
    )
    scope_org = models.ForeignKey(
        OrgNode,
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scoped_users",
        help_text=_("The subtree of the org tree this user sees."),
    )
    department = models.ForeignKey(
        Unit,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handlers",
        limit_choices_to={"kind": UnitKind.DEPARTMENT},
        help_text=_("For department handlers: the department whose referrals they receive."),
    )
    email_notifications = models.BooleanField(
        _("email notifications"),
        default=True,
        help_text=_("Also send notifications by email (when the user has an address)."),
    )
    email_digest = models.BooleanField(
        _("daily email digest"),
        default=False,
        help_text=_("One email a day with all new notifications, instead of one email each."),
    )

    # The password's age counts from here (PASSWORD_MAX_AGE_DAYS); the service that sets a
    # password stamps it (liaison/services/passwords.py).
    password_changed_at = models.DateTimeField(_("password changed at"), default=timezone.now)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator chose the password: changed at the next login."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_perm(self, perm, obj=None) -> bool:
        """The security and audit administrators hold no Django permission, not even through a
        group: what they may do is their role's (三员分立, liaison.admin.accounts)."""
        if self.role in NO_LEDGER_ROLES:
            return False
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.role in NO_LEDGER_ROLES:
            return False
        return super().has_module_perms(app_label)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.role in SCOPED_ROLES and not self.scope_org_id:
            errors["scope_org"] = _("This role needs a scope in the org tree.")
        if self.role == Role.DEPARTMENT_HANDLER and not self.department_id:
            errors["department"] = _("A department handler needs a department.")
        if self.department_id and self.department.kind != UnitKind.DEPARTMENT:
            errors["department"] = _("Choose a professional department.")
        if self.role in NO_LEDGER_ROLES:  # they read no ledger (DESIGN.md §3)
            if self.scope_org_id:
                errors["scope_org"] = _(
                    "This administrator reads no ledger: leave the scope empty."
                )
            if self.department_id:
                errors["department"] = _("This administrator handles no referrals.")
        if self.role == Role.AUDIT_ADMIN and self.is_staff:
            errors["is_staff"] = _("The audit administrator never enters the administration.")
        if self.role in ADMINISTRATOR_ROLES and self.is_superuser:
            errors["is_superuser"] = _(
                "An administrator is not a superuser: the superuser is for installation only."
            )
        if errors:
            raise ValidationError(errors)


def in_subtree(field: str, path: str | Param) -> Q:
    """Whether a row's organisation (the column `field`, an org id) lies in the subtree under
    `path`, without joining the org table: an index condition on `field` (see AnyOf)."""
    return Q(AnyOf(field, OrgNode.objects.filter(path__startswith=path).values("pk")))
