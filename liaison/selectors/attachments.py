"""Reads of the photos and files of an entry or a visit (R23), for their pages and the printed
sheet. Who may see them: liaison.permissions (visible_attachments, get_attachment_for)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from liaison.models import Attachment, Entry, Visit


def _listed(queryset: QuerySet[Attachment]) -> list[Attachment]:
    """The files, oldest first; who uploaded and withdrew them and the visits' ledgers
    prefetched, so that a page with no files pays one narrow query."""
    return list(
        queryset.prefetch_related("uploaded_by", "withdrawn_by", "visit__org").order_by(
            "uploaded_at", "pk"
        )
    )


def entry_attachments(*, entry: Entry) -> list[Attachment]:
    """Return the entry's files and those of the visit it was heard at, oldest first (one
    query when there are none). Whoever may see the entry may see these
    (permissions.visible_attachments)."""
    condition = Q(entry=entry)
    if entry.visit_id:
        condition |= Q(visit_id=entry.visit_id)
    return _listed(Attachment.objects.filter(condition))


def visit_attachments(*, visit: Visit) -> list[Attachment]:
    """Return the visit's own files, oldest first (one query)."""
    return _listed(Attachment.objects.filter(visit=visit))
