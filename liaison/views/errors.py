from http import HTTPStatus

from django.core.exceptions import BadRequest
from django.shortcuts import render


def bad_request(request, exception=None):
    """Show why the request was refused (the message of the BadRequest raised); an htmx request
    gets just the message, swapped in where its results would have gone."""
    message = str(exception) if isinstance(exception, BadRequest) else ""
    template = "400.html#message" if getattr(request, "htmx", False) else "400.html"
    return render(request, template, {"message": message}, status=HTTPStatus.BAD_REQUEST)
