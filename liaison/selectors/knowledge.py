"""Reads of the knowledge base (知识库): the list of reply templates, and the ones the entry page
offers while replying or recording a plan."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from liaison import permissions
from liaison.constants import template_uses_for
from liaison.filters import ReplyTemplateFilter
from liaison.models import ReplyTemplate, User


def reply_template_list(*, user: User, filters: dict | None = None) -> ReplyTemplateFilter:
    """Return the bound filter over the templates the user may read (every one for their
    editors, the active ones for everyone else), with their item and category (one query)."""
    queryset = permissions.visible_reply_templates(user).select_related("item__category")
    return ReplyTemplateFilter(filters, queryset=queryset, user=user)


def reply_templates_offered(*, item_id: int, steps: Iterable[str]) -> dict[str, list]:
    """Return, for each step (TemplateUse.REPLY, .PLAN), the active templates written for it
    and for the item, then those for every item: one query for all the steps, none for no
    step."""
    steps = set(steps)
    if not steps:
        return {}
    uses = set().union(*(template_uses_for(step) for step in steps))
    templates = list(
        ReplyTemplate.objects.filter(is_active=True, use__in=uses)
        .filter(Q(item_id=item_id) | Q(item__isnull=True))
        .only("pk", "item_id", "title", "text", "policy_refs", "use")
        .order_by("item_id", "position", "title", "pk")  # NULLs: last on PG, first on SQLite
    )
    templates.sort(key=lambda template: template.item_id is None)  # the item's own first
    return {
        step: [template for template in templates if template.use in template_uses_for(step)]
        for step in steps
    }
