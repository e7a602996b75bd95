"""The knowledge base (知识库): reply templates per service item, with their policy references."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison.constants import TEMPLATE_POLICY_MAX_LENGTH, TEMPLATE_TEXT_MAX_LENGTH, TemplateUse
from liaison.models.ledger import ServiceItem


class ReplyTemplate(models.Model):
    """A standard answer (答复模板) to the needs of one service item, or of every item when
    `item` is empty, with the policy it rests on. The party-building department writes them;
    whoever replies or records a plan inserts one and edits it. Never deleted: retired
    (`is_active`), so the counts of use stay."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reply_templates",
        help_text=_("Empty: offered for every service item."),
    )
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("standard answer"))
    policy_refs = models.TextField(
        _("policy references"),
        blank=True,
        help_text=_("The documents the answer rests on, e.g. 《供电营业规则》第十二条."),
    )
    use = models.CharField(
        _("used for"), max_length=8, choices=TemplateUse.choices, default=TemplateUse.REPLY
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # How many saved replies and plans started from it (counted when they are saved).
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # Bumped by every edit, so that of two editors the second gets a conflict (R16).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["position", "title", "pk"]
        # The entry page's picker: the active templates of one item (and the general ones).
        indexes = [models.Index(fields=["item", "is_active"], name="replytemplate_item_active")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("liaison:knowledge_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        self.title = (self.title or "").strip()
        self.text = (self.text or "").strip()
        self.policy_refs = (self.policy_refs or "").strip()
        if len(self.text) > TEMPLATE_TEXT_MAX_LENGTH:
            errors["text"] = _("Keep the standard answer within %(n)d characters.") % {
                "n": TEMPLATE_TEXT_MAX_LENGTH
            }
        if len(self.policy_refs) > TEMPLATE_POLICY_MAX_LENGTH:
            errors["policy_refs"] = _("Keep the policy references within %(n)d characters.") % {
                "n": TEMPLATE_POLICY_MAX_LENGTH
            }
        if errors:
            raise ValidationError(errors)
