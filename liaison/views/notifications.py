"""The notification inbox (R6): my notifications, newest first; mark read; email on or off."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import InvalidPage
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from liaison.listing import PAGE_PARAM, page_number, page_out_of_range, refuse_unknown
from liaison.permissions import get_notification_for
from liaison.selectors.notifications import notification_page
from liaison.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    user_set_email_notifications,
)


@require_safe
@login_required
def notification_list(request):
    refuse_unknown(request.GET, {PAGE_PARAM})
    try:
        page = notification_page(user=request.user, page=page_number(request.GET))
    except InvalidPage as error:
        raise page_out_of_range() from error
    return render(request, "liaison/notification_list.html", {"page_obj": page})


@require_POST
@login_required
def notification_read(request, pk: int):
    """Mark one of my notifications as read; then follow its entry link if asked to."""
    notification_mark_read(notification=get_notification_for(request.user, pk))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("liaison:notification_list")


@require_POST
@login_required
def notification_read_all(request):
    notifications_mark_all_read(user=request.user)
    return redirect("liaison:notification_list")


@require_POST
@login_required
def notification_email_toggle(request):
    """Turn my notification emails on or off, one each or a daily digest."""
    enabled = request.POST.get("email_notifications") == "on"
    digest = request.POST.get("email_digest") == "on"
    user_set_email_notifications(user=request.user, enabled=enabled, digest=digest)
    return redirect("liaison:notification_list")
