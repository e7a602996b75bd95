from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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
