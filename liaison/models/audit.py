"""The audit log and the Excel import's jobs: data and invariants only."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row per write to the org tree, people, accounts or pairings, per login, logout,
    failed login, lock and unlock, and per export: who, when, what.

    Append-only: on PostgreSQL a trigger refuses every UPDATE and DELETE of a row (kept at
    least AUDIT_RETENTION_DAYS; see README, "Administrators and the audit log")."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        DEACTIVATED = "deactivated", _("deactivated")
        IMPORTED = "imported", _("imported")
        LOGIN = "login", _("logged in")
        LOGOUT = "logout", _("logged out")
        LOGIN_FAILED = "login_failed", _("login failed")
        LOCKED = "locked", _("locked")
        UNLOCKED = "unlocked", _("unlocked")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        ROLE_CHANGED = "role_changed", _("role changed")
        SCOPE_CHANGED = "scope_changed", _("scope changed")
        EXPORTED = "exported", _("exported")

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
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

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
