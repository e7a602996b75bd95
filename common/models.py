"""A model mixin for the pages that show many choices' labels."""

from __future__ import annotations

import functools
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class ChoiceLabels:
    """get_FOO_display() from a mapping of the field's choices made once per field.

    Django makes that mapping again at every call, hashing each choice's label on the way: a
    lazy label is translated each time (34 labels on an entry page cost 348 translations). The
    mapping made once keeps the labels lazy, so each is still shown in the language of the
    request. For fields with fixed choices (not a callable that may change)."""

    def _get_FIELD_display(self, field: models.Field) -> Any:
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


@functools.cache
def _labels(field: models.Field) -> dict[Any, Any]:
    return dict(make_hashable(field.flatchoices))
