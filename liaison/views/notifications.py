"""The notification inbox (R6): my notifications, newest first; mark read; email on or off."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from liaison.models import Notification

PAGE_SIZE = 25


@require_safe
@login_required
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user).select_related("entry")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "liaison/notification_list.html", {"page_obj": page})


@require_POST
@login_required
def notification_read(request, pk: int):
    """Mark one of my notifications as read; then follow its entry link if asked to."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("liaison:notification_list")


@require_POST
@login_required
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("liaison:notification_list")


@require_POST
@login_required
def notification_email_toggle(request):
    """Turn my notification emails on or off."""
    request.user.email_notifications = request.POST.get("email_notifications") == "on"
    request.user.save(update_fields=["email_notifications"])
    return redirect("liaison:notification_list")
