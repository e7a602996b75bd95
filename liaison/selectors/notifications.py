"""Reads of a user's own notifications."""

from django.core.paginator import Page, Paginator

from liaison.models import Notification, User

PAGE_SIZE = 25


def notification_page(*, user: User, page: int) -> Page:
    """Return one page of the user's notifications, newest first (the model's order); raise
    django.core.paginator.InvalidPage past the last page."""
    notes = Notification.objects.filter(recipient=user).select_related("entry")
    return Paginator(notes, PAGE_SIZE).page(page)
