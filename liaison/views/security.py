"""Login locks (issue 14, item 2): the locked login page, and the security administrator's
locks page with its unlock (404 for everyone else)."""

from __future__ import annotations

from functools import wraps
from http import HTTPStatus

from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from liaison.models import User
from liaison.permissions import can_manage_security
from liaison.selectors.locks import current_locks, lock_minutes_left
from liaison.services.locks import account_unlock
from liaison.services.second_factor import second_factor_reset


def lock_message(minutes: int) -> str:
    return ngettext(
        "The account is locked. Try again in %(minutes)d minute or ask the security "
        "administrator to unlock it.",
        "The account is locked. Try again in %(minutes)d minutes or ask the security "
        "administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again (the site's or the admin's), saying that the
    account is locked and for how long; 429."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))[:150]
    address = getattr(request, "axes_ip_address", "") or ""
    message = lock_message(lock_minutes_left(username=username, address=address))
    status = HTTPStatus.TOO_MANY_REQUESTS
    if request.path.startswith(reverse("admin:index")):
        form = AdminAuthenticationForm(request, initial={"username": username})
        form._errors = ErrorDict({"__all__": ErrorList([message])})
        context = {
            **admin_site.each_context(request),
            "title": _("Log in"),
            "form": form,
            "app_path": request.get_full_path(),
            "username": username,
        }
        return TemplateResponse(request, "admin/login.html", context, status=status).render()
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=status)


def security_admin_only(view):
    """Log in first; then anyone but the security administrator gets a 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_manage_security(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _lock_page(request, *, reset_error: str = "", status: int = HTTPStatus.OK):
    locks = current_locks()
    sections = [
        (_("Locked user names"), locks.accounts, "username", "locked-accounts"),
        (_("Locked addresses"), locks.addresses, "address", "locked-addresses"),
    ]
    context = {"sections": sections, "reset_error": reset_error}
    return render(request, "liaison/security/locks.html", context, status=status)


@require_safe
@security_admin_only
def lock_list(request):
    return _lock_page(request)


@require_POST
@security_admin_only
def second_factor_reset_view(request):
    """Remove a user's authenticator app (a lost phone): they enrol again at the next login."""
    username = request.POST.get("username", "").strip()[:150]
    user = User.objects.filter(username=username).first() if "\x00" not in username else None
    if user is None:
        error = _("No account has the user name %(name)s.") % {"name": username or "-"}
        return _lock_page(request, reset_error=error, status=HTTPStatus.BAD_REQUEST)
    removed = second_factor_reset(actor=request.user, user=user)
    if removed:
        messages.success(
            request, _("The second factor of %(name)s was reset.") % {"name": username}
        )
    else:
        messages.info(request, _("%(name)s had no second factor.") % {"name": username})
    return redirect("liaison:lock_list")


@require_POST
@security_admin_only
def lock_unlock(request):
    username = request.POST.get("username", "").strip()[:150]
    address = request.POST.get("address", "").strip()[:45]
    if bool(username) == bool(address) or "\x00" in username + address:
        return HttpResponseBadRequest(_("Name either one user name or one address to unlock."))
    account_unlock(actor=request.user, username=username, address=address)
    messages.success(request, _("Unlocked: %(name)s.") % {"name": username or address})
    return redirect("liaison:lock_list")
