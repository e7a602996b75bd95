"""Co-handling departments (主办·协办, R18): the departments that help the lead department."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.constants import UnitKind
from liaison.models.ledger import Entry
from liaison.models.orgs import Unit


class CoHandler(models.Model):
    """A department asked to help with a referred entry: it adds its part to the timeline and
    sees the entry in its inbox; the lead department (Entry.department) records the plan and the
    result. Never deleted: it stays on the entry's history."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="cohandlers"
    )
    department = models.ForeignKey(
        Unit,
        verbose_name=_("co-handling department"),
        on_delete=models.PROTECT,
        related_name="cohandled",
        limit_choices_to={"kind": UnitKind.DEPARTMENT},
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-handling department")
        verbose_name_plural = _("co-handling departments")
        ordering = ["added_at", "pk"]
        indexes = [models.Index(fields=["department", "entry"], name="cohandler_department")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "department"], name="cohandler_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.department}"
