"""The form renderer (settings.FORM_RENDERER): Django's own templates, with the few small ones
every form draws many times over drawn in Python instead, to the same markup.

Django draws a form through a template for the form, one for each field, one for its label and
three for each input (the widget's, input.html and attrs.html), each a render with its own
context: 4.4 ms of the entry page's 29 for its two small forms (link, mark as duplicate). The
templates below are drawn from the very context the template would get, so a widget, label or
error list is the same whichever draws it; any other template (a select, a textarea, a
project's own) is rendered as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

_Context = Mapping[str, Any]

# Django's widgets whose template is input.html alone.
_INPUT_WIDGETS = (
    "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password",
    "search", "tel", "text", "time", "url",
)  # fmt: skip


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html and django/forms/attrs.html: False leaves an attribute
    out, True writes its name alone, anything else its value as a string (None included)."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(context: _Context) -> str:
    """django/forms/widgets/input.html (with attrs.html)."""
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _label(context: _Context) -> str:
    """django/forms/label.html (with attrs.html): the label is escaped already."""
    label = context["label"]
    if not context["use_tag"]:
        return str(conditional_escape(label))
    tag = context["tag"]
    return f"<{tag}{_attrs(context['attrs'] or {})}>{conditional_escape(label)}</{tag}>"


def _errors(context: _Context) -> str:
    """django/forms/errors/list/default.html and ul.html."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    named = f' id="{conditional_escape(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
    return f'<ul class="{conditional_escape(context["error_class"])}"{named}>{items}</ul>'


def _field(context: _Context) -> str:
    """django/forms/field.html: a field's label (or legend), help text, errors and widget."""
    field = context["field"]
    parts = []
    if field.use_fieldset:
        described = field.aria_describedby
        described_attr = f' aria-describedby="{conditional_escape(described)}"' if described else ""
        parts.append(f"<fieldset{described_attr}>")
        if field.label:
            parts.append(str(field.legend_tag()))
    elif field.label:
        parts.append(str(field.label_tag()))
    if field.help_text:
        helptext_id = f' id="{conditional_escape(field.auto_id)}_helptext"' if field.auto_id else ""
        parts.append(f'<div class="helptext"{helptext_id}>{field.help_text}</div>')
    parts.append(str(field.errors))
    parts.append(str(field))
    if field.use_fieldset:
        parts.append("</fieldset>")
    return "\n".join(part for part in parts if part)


def _div(context: _Context) -> str:
    """django/forms/div.html: the form's errors, then each field in a <div>, the hidden fields
    after the last one."""
    errors, fields = context["errors"], context["fields"]
    hidden = "".join(str(field) for field in context["hidden_fields"])
    parts = [str(errors)] if errors else []
    if errors and not fields:
        parts.append(f"<div>{hidden}</div>")
    for n, (field, _errors_of_field) in enumerate(fields, start=1):
        classes = field.css_classes()
        class_attr = f' class="{conditional_escape(classes)}"' if classes else ""
        last = hidden if n == len(fields) else ""
        parts.append(f"<div{class_attr}>\n{field.as_field_group()}\n{last}</div>")
    if not fields and not errors:
        parts.append(hidden)
    return "\n".join(part for part in parts if part)


DRAWN: dict[str, Callable[[_Context], str]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUT_WIDGETS},
    "django/forms/widgets/input.html": _input,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/errors/list/ul.html": _errors,
    "django/forms/field.html": _field,
    "django/forms/div.html": _div,
}


class LeanRenderer(DjangoTemplates):
    """Django's template renderer, with the templates in DRAWN drawn in Python."""

    def render(self, template_name: str, context: Any, request: Any = None) -> str:
        draw = DRAWN.get(template_name)
        if draw is None:
            return super().render(template_name, context, request)
        return draw(context).strip()
