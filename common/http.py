"""Request checks that hold for every URL of the site, before any view runs."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.middleware.gzip import GZipMiddleware
from django.utils.translation import gettext as _


class NulByteMiddleware:
    """Refuse (400) a request whose path or query string holds a NUL character.

    No page takes one, and PostgreSQL cannot store or compare one: a NUL in a search reached the
    database as an error (500). Forms refuse it in a POST (Django's ProhibitNullCharacters
    validator); this refuses it in a GET, for every view at once.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest(_("The address holds a NUL character: no page takes one."))
        return self.get_response(request)


class PageGZipMiddleware(GZipMiddleware):
    """Compress the pages (HTML, htmx fragments, JSON) and never a file download.

    Django's GZipMiddleware (since 4.2) pads each compressed response with random bytes in a gzip
    header field, which defeats BREACH-style length guessing of the CSRF token. A download (a
    streamed file, an attachment: Excel exports, attachments) passes untouched: Excel files are
    zip archives already, and a FileResponse keeps its length and ranges. Static files never get
    here: WhiteNoise, above this middleware, serves them precompressed (Brotli, gzip).
    """

    def process_response(self, request, response):
        if response.streaming or response.has_header("Content-Disposition"):
            return response
        return super().process_response(request, response)
