from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.functional import LazyObject, empty

from liaison.passwords import password_change_reason
from liaison.services.audit import audit_superuser_request

SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Speak Simplified Chinese unless the user chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; on these intranets
    many browsers are set to English while their users expect the Chinese interface. Only the
    languages of settings.LANGUAGES are accepted from the cookie.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The language comes from a cookie, not from Accept-Language: no Vary on that header.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# A request a page makes by itself (htmx `every`), marked with this header, keeps no session alive.
POLL_HEADER = "X-Ledger-Poll"


class IdleSessionMiddleware:
    """Keep an active session alive: save it again once a minute of use (common/sessions.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if getattr(session, "refresh_due", False) and POLL_HEADER not in request.headers:
            session.modified = True
        return response


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY: no page may use a camera, microphone, location…"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PrivatePagesMiddleware:
    """Let no browser or proxy keep a page shown to a logged-in user (`no-store, private`).

    A response that already says `no-store` (an attachment, Django's never_cache) is left as it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response


# Reachable while a password must be changed: the change page itself, logging in and out, the
# language switch, and the informants' and raters' public pages.
PASSWORD_CHANGE_OPEN_URLS = frozenset({"password_change", "login", "logout", "second_factor"})
PASSWORD_CHANGE_OPEN_NAMESPACES = frozenset({"rate", "evaluate"})


class PasswordPolicyMiddleware:
    """Send a user who must change their password (first login, expired) to the change page,
    whatever they ask for, until they have (liaison/passwords.py decides who must)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = password_change_reason(request.user)
        request.password_change_reason = reason
        if reason and not self._open(request):
            target = reverse("password_change")
            if request.headers.get("HX-Request"):
                return HttpResponse(status=HTTPStatus.NO_CONTENT, headers={"HX-Redirect": target})
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        if request.path_info.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/i18n/")):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in PASSWORD_CHANGE_OPEN_URLS or bool(
            set(match.namespaces) & PASSWORD_CHANGE_OPEN_NAMESPACES
        )


class ResolvedUserMiddleware:
    """Put the user itself in request.user in place of the lazy wrappers that Django's
    authentication and django-otp put there, once the password policy has read it (it does on
    every request, so no query is added). Every attribute read through a SimpleLazyObject
    raises and catches an AttributeError on its way, here two wrappers deep, and a page reads
    the user's attributes hundreds of times in its permission checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        while isinstance(user, LazyObject):
            if user._wrapped is empty:
                user._setup()
            user = user._wrapped
        request.user = user
        return self.get_response(request)


class SuperuserAuditMiddleware:
    """Write an audit event for every request by a Django superuser: the superuser is for
    installation only (三员分立), so its every use is on the record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_superuser:
            audit_superuser_request(user=user, request=request, status=response.status_code)
        return response
