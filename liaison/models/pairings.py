"""Pairings (三联三百三互助, R13): data and invariants only."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from common.expressions import AnyOf
from common.prepared import Param
from liaison.constants import (
    PAIRING_SHAPES,
    PairingKind,
    PairingShape,
)
from liaison.models.orgs import OrgNode, Person, Unit, in_subtree

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


def active_on_q(day: dt.date | Param) -> Q:
    """The pairings running on `day` (a day, or a prepared query's Param): started, and not yet
    ended."""
    return Q(start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gte=day))


def pairings_in_subtree_q(path: str | Param) -> Q:
    """The pairings with either side in the subtree under `path` (a path, or a prepared
    query's Param): the person or org who keeps it, or the person, unit or org paired with.
    Each side an id list worked out once (AnyOf), no join to the tree (a five-way join on paths
    took 12 ms at a province's scale)."""
    people = Person.objects.filter(in_subtree("org_id", path)).values("pk")
    units = Unit.objects.filter(in_subtree("branch_id", path)).values("pk")
    return (
        Q(AnyOf("person_id", people))
        | in_subtree("org_id", path)
        | Q(AnyOf("target_person_id", people))
        | Q(AnyOf("target_unit_id", units))
        | in_subtree("target_org_id", path)
    )


class PairingQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> PairingQuerySet:
        """Return the pairings running on `day`: started, and not yet ended."""
        return self.filter(active_on_q(day))


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
