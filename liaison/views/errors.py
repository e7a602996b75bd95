from http import HTTPStatus

from django.core.exceptions import BadRequest
from django.shortcuts import render


def bad_request(request, exception=None):
    """Show why the request was refused (the message of the BadRequest raised)."""
    message = str(exception) if isinstance(exception, BadRequest) else ""
    return render(request, "400.html", {"message": message}, status=HTTPStatus.BAD_REQUEST)
