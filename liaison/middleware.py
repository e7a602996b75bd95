from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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
