"""Logging: a refused request (4xx) is one line in the log, never a traceback."""

from __future__ import annotations

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(text: str) -> str:
    """Escape control characters (a user's input may carry a newline into a message)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class ClientErrorOneLine(logging.Filter):
    """Turn Django's record of a refused request (status 400–499, from django.request or
    django.security.*) into one line — status, method, path, message — without the traceback
    Django attaches to BadRequest, SuspiciousOperation and PermissionDenied. Server errors
    (5xx) keep theirs. Attach it to the handlers (a logger's filter misses its children)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        request = getattr(record, "request", None)
        method = getattr(request, "method", "") or "-"
        path = getattr(request, "path", "") or "-"
        exc = record.exc_info[1] if record.exc_info else None
        message = str(exc) if exc is not None and str(exc) else record.getMessage()
        message = message.removesuffix(f": {path}")  # Django's "Bad Request: /path"
        record.msg = "%s %s %s: %s"
        record.args = (status, method, _one_line(path), _one_line(message))
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
