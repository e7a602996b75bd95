"""Templates compare with enum members passed from code, never with string literals of domain
values: a renamed status or colour then breaks loudly in code, not silently in a page."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

import feedback.constants
import liaison.constants

COMPARISON = re.compile(r"""(?:==|!=|\bin)\s*(['"])([A-Za-z0-9_]+)\1""")


def _choice_values() -> set[str]:
    """Every value of a TextChoices in the apps' constants and models."""
    found: set[str] = set()
    for module in (liaison.constants, feedback.constants):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, models.TextChoices):
                found |= set(obj.values)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str):
                    found.add(value)
    return found


def test_no_template_compares_with_a_domain_value_spelt_out():
    values = _choice_values() - {""}
    offenders = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(directory).rglob("*.html"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                for match in COMPARISON.finditer(line):
                    if match.group(2) in values:
                        offenders.append(f"{path.name}:{number}: {match.group(0)}")
    assert offenders == []
