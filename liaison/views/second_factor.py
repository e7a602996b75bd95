"""The administrators' second factor (ADMIN_2FA=1): after the password, enrol an authenticator
app (its QR code drawn here, and its secret as text) or enter its code. A wrong code counts as
a failed login (it locks like a wrong password, and is audited)."""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify
from http import HTTPStatus

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from liaison.forms.second_factor import TokenForm
from liaison.security import needs_second_factor
from liaison.services.second_factor import DEVICE_NAME, second_factor_enrol
from liaison.views.security import lockout_response

PENDING_KEY = "second_factor_pending_key"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _locked_out(request):
    """End the session and answer the locked login page."""
    username = request.user.get_username()
    logout(request)
    return lockout_response(request, credentials={"username": username})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def second_factor(request):
    user = request.user
    if not needs_second_factor(user) or user.is_verified():
        return redirect(_next(request))
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return _locked_out(request)
    enrolling = not user_has_device(user)
    key = request.session.get(PENDING_KEY) if enrolling else None
    if enrolling and not key:
        key = random_hex(20)
        request.session[PENDING_KEY] = key
    form = TokenForm(request.POST or None)
    status = HTTPStatus.OK
    if request.method == "POST":
        device = None
        if form.is_valid():
            token = form.cleaned_data["token"]
            if enrolling:
                device = second_factor_enrol(user=user, key=key, token=token)
            else:
                device = match_token(user, token)
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            otp_login(request, device)
            return redirect(_next(request))
        user_login_failed.send(
            sender=__name__, credentials={**credentials, "second_factor": True}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            request.axes_locked_out = False  # answered here, not again by AxesMiddleware
            return _locked_out(request)
        status = HTTPStatus.BAD_REQUEST
    wrong = request.method == "POST" and form.is_valid()
    context = {"form": form, "enrolling": enrolling, "wrong": wrong, "next": _next(request)}
    if enrolling:
        device = TOTPDevice(user=user, name=DEVICE_NAME, key=key)
        context["otpauth_url"] = device.config_url
        context["secret"] = b32encode(unhexlify(key)).decode()
    return render(request, "liaison/security/second_factor.html", context, status=status)
