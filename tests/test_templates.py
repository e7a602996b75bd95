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


# The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) refuses these; behaviour goes
# into static/js/ (bound by data attributes), looks into static/css/.
INLINE = {
    "event handler attribute": re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.I | re.S),
    "inline script": re.compile(
        r"""<script\b(?![^>]*\bsrc=)(?![^>]*type="application/json")""", re.I
    ),
    "javascript: URL": re.compile(r"""javascript:""", re.I),
    "style element": re.compile(r"""<style\b""", re.I),
    "style attribute": re.compile(r"""<[^>]*\sstyle\s*=""", re.I | re.S),
}


def test_no_template_holds_inline_script_handler_or_style():
    offenders = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(directory).rglob("*.html"):
            text = path.read_text()
            for what, pattern in INLINE.items():
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    offenders.append(f"{path.name}:{line}: {what}")
    assert offenders == []


def test_the_template_scan_finds_what_it_looks_for():
    samples = {
        "event handler attribute": '<button type="button"\n onclick="go()">',
        "inline script": "<script>go()</script>",
        "javascript: URL": '<a href="javascript:go()">',
        "style element": "<style>p{}</style>",
        "style attribute": '<div class="x" style="width: 1rem">',
    }
    for what, sample in samples.items():
        assert INLINE[what].search(sample), what
    assert not INLINE["inline script"].search('<script src="/static/js/ledger.js" defer>')
    assert not INLINE["event handler attribute"].search("<input data-select-on-focus>")


def test_no_template_comment_spans_lines():
    """`{# … #}` ends on its line: one left open prints itself on the page (use {% comment %})."""
    offenders = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(directory).rglob("*.html"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if line.count("{#") != line.count("#}"):
                    offenders.append(f"{path.name}:{number}")
    assert offenders == []
