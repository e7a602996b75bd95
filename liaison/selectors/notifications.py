"""Reads of a user's own notifications."""

from django.core.paginator import Page, Paginator

from liaison.models import Notification, User

PAGE_SIZE = 25


def notification_page(*, user: User, page: str | None) -> Page:
    """Return one page of the user's notifications, newest first (the model's order)."""
    notes = Notification.objects.filter(recipient=user).select_related("entry")
    return Paginator(notes, PAGE_SIZE).get_page(page)
