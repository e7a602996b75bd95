"""The second factor for administrators (ADMIN_2FA=1, issue 14 item 7).

After the password, a user who needs a second factor (liaison.security.needs_second_factor)
and has not passed it in this session reaches only the code page (enrolment or check), the
logout, the language switch and static files: every other page redirects to the code page.
Runs after django_otp's OTPMiddleware, which tells whether the session is verified.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from liaison.security import needs_second_factor


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.ADMIN_2FA
            and user is not None
            and needs_second_factor(user)
            and not user.is_verified()
            and not self._open(request.path)
        ):
            target = reverse("second_factor")
            if request.method in {"GET", "HEAD"}:
                target += "?" + urlencode({"next": request.get_full_path()})
            response = HttpResponseRedirect(target)
            if getattr(request, "htmx", False):
                response["HX-Redirect"] = target
            return response
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        open_paths = (
            reverse("second_factor"),
            reverse("logout"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )
        return path.startswith(open_paths)
