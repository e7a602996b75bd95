"""Org tree, business units, people, user accounts and pairings: data and invariants only."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from liaison.constants import (
    EXTERNAL_PERSON_KINDS,
    ORG_CHILD_KINDS,
    PAIRING_SHAPES,
    SCOPED_ROLES,
    BranchType,
    OrgKind,
    PairingKind,
    PairingShape,
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

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.role in SCOPED_ROLES and not self.scope_org_id:
            errors["scope_org"] = _("This role needs a scope in the org tree.")
        if self.role == Role.DEPARTMENT_HANDLER and not self.department_id:
            errors["department"] = _("A department handler needs a department.")
        if self.department_id and self.department.kind != UnitKind.DEPARTMENT:
            errors["department"] = _("Choose a professional department.")
        if errors:
            raise ValidationError(errors)


PAIRING_SIDE_COLUMNS = ("person", "org", "target_person", "target_unit", "target_org")
PAIRING_DUPLICATE_MESSAGE = _(
    "This pairing already exists: same kind, same sides, same start date."
)


def _pairing_shape_condition() -> Q:
    """One Q per kind: exactly the columns PAIRING_SHAPES names are filled."""
    subject_cols = {PairingShape.PERSON: "person", PairingShape.ORG: "org"}
    target_cols = {
        PairingShape.PERSON: "target_person",
        PairingShape.UNIT: "target_unit",
        PairingShape.ORG: "target_org",
    }
    condition = Q()
    for kind, (subject, target) in PAIRING_SHAPES.items():
        q = Q(kind=kind)
        for shape, col in subject_cols.items():
            q &= Q(**{f"{col}__isnull": shape != subject})
        for shape, col in target_cols.items():
            q &= Q(**{f"{col}__isnull": shape != target})
        condition |= q
    return condition


class PairingQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> PairingQuerySet:
        """Return the pairings running on `day`: started, and not yet ended."""
        return self.filter(Q(start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gte=day)))


class Pairing(models.Model):
    """A liaison pairing (R13) with its start and, once over, its end."""

    kind = models.CharField(_("kind"), max_length=30, choices=PairingKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("liaison person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
    )
    org = models.ForeignKey(
        OrgNode,
        verbose_name=_("liaison branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
    )
    target_person = models.ForeignKey(
        Person,
        verbose_name=_("paired person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paired_with",
    )
    target_unit = models.ForeignKey(
        Unit,
        verbose_name=_("paired unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
    )
    target_org = models.ForeignKey(
        OrgNode,
        verbose_name=_("paired branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paired_with",
    )
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["kind", "start_on", "pk"]
        indexes = [models.Index(fields=["kind", "start_on", "end_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="pairing_ends_after_start",
            ),
            models.CheckConstraint(
                condition=_pairing_shape_condition(), name="pairing_sides_match_kind"
            ),
            # One pairing per kind, sides and start date. The unused side columns are NULL, and
            # NULLs never clash in a unique index: COALESCE makes them equal (no key is 0).
            models.UniqueConstraint(
                F("kind"),
                *(Coalesce(side, 0) for side in PAIRING_SIDE_COLUMNS),
                F("start_on"),
                name="pairing_unique",
                violation_error_message=PAIRING_DUPLICATE_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ↔ {self.target}"

    @property
    def subject(self) -> Person | OrgNode | None:
        return self.person or self.org

    @property
    def target(self) -> Person | Unit | OrgNode | None:
        return self.target_person or self.target_unit or self.target_org


class AuditEvent(models.Model):
    """One row per write to the org tree, people, accounts or pairings: who, when, what."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        DEACTIVATED = "deactivated", _("deactivated")
        IMPORTED = "imported", _("imported")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    summary = models.CharField(_("summary"), max_length=200)
    data = models.JSONField(_("data"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return self.summary


class ImportJob(models.Model):
    """An uploaded Excel workbook of org tree, units, people and pairings, checked then applied.

    The workbook is kept in the row itself so that any web node or worker can read it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("running")
        VALID = "valid", _("checked, no errors")
        INVALID = "invalid", _("has errors")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        # The requeue job looks for waiting and running jobs.
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.filename

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.VALID) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def can_apply(self) -> bool:
        """Whether this is a valid dry run not yet applied."""
        return (
            self.dry_run
            and self.status == self.Status.VALID
            and not self.summary.get("applied_job")
        )

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.PENDING, self.Status.RUNNING)
