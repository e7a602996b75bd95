"""common.forms.LeanRenderer draws the same markup as Django's own templates: every kind of
field the project's forms use, unbound, bound with errors, with help text, hidden fields and
groups of choices in a fieldset (the markup compared with the spaces next to tags left out)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from common.forms import DRAWN, LeanRenderer


class Sample(forms.Form):
    number = forms.CharField(
        label="编号 <b>", max_length=40, help_text="例如 GD-2026-0001 & more",
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                      "data-none": None, "data-off": False}),
    )  # fmt: skip
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea)
    count = forms.IntegerField(label="数量", min_value=1)
    when = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(label="邮箱", required=False)
    agree = forms.BooleanField(label="同意", required=False)
    colour = forms.ChoiceField(
        label="颜色", choices=[("red", "红"), ("yellow", "黄")], widget=forms.RadioSelect
    )
    kinds = forms.MultipleChoiceField(
        label="种类", choices=[("a", "甲"), ("b", "乙")], required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("note") == "冲突":
            raise forms.ValidationError("整张表单的错误 <x>")
        return data


def _drawn(form: forms.Form, renderer) -> str:
    form.renderer = renderer
    return re.sub(r"\s*(<|>)\s*", r"\1", str(form)).strip()


VALID = {
    "number": "GD-1", "count": "2", "when": "2026-12-05", "colour": "red", "version": "4",
    "agree": "on", "kinds": ["a", "b"],
}  # fmt: skip
WRONG = {"number": "x" * 41, "count": "0", "note": "冲突", "version": ""}
CASES = {
    "unbound": lambda: Sample(initial={"number": 'A"1', "version": 3, "agree": True}),
    "bound, valid": lambda: Sample(VALID),
    "bound, errors": lambda: Sample(WRONG),
    "prefixed, no ids": lambda: Sample(prefix="p", auto_id=False),
}


@pytest.mark.parametrize("case", CASES)
def test_the_lean_renderer_draws_what_djangos_templates_draw(case):
    django_drawn = _drawn(CASES[case](), DjangoTemplates())
    lean_drawn = _drawn(CASES[case](), LeanRenderer())
    assert lean_drawn == django_drawn
    assert "<input" in lean_drawn


def test_it_draws_the_small_templates_itself_and_renders_the_others():
    """A widget, label, error list, field and form drawn in Python; a textarea, a select and
    anything else through the templates."""
    assert "django/forms/widgets/text.html" in DRAWN
    assert "django/forms/div.html" in DRAWN
    assert "django/forms/widgets/textarea.html" not in DRAWN
    form = Sample()
    form.renderer = LeanRenderer()
    assert str(form["note"]).startswith("<textarea")
    assert 'type="radio"' in str(form["colour"])
