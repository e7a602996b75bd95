"""The knowledge base's form: one reply template, as its editors write it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.constants import TEMPLATE_POLICY_MAX_LENGTH, TEMPLATE_TEXT_MAX_LENGTH, TemplateUse
from liaison.models import ReplyTemplate, ServiceItem

POSITION_MAX = 999


class _ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceItem) -> str:
        return f"{obj.category.name} · {obj.name}"


class ReplyTemplateForm(forms.Form):
    """The fields of services.knowledge.TEMPLATE_FIELDS; when editing, the version the page
    showed (R16)."""

    item = _ItemChoiceField(
        label=_("Service item"),
        queryset=ServiceItem.objects.filter(is_active=True)
        .select_related("category")
        .order_by("category__position", "category__name", "position", "name"),
        required=False,
        empty_label=_("Every service item (general)"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=80,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("What the picker shows, e.g. “Tariff policy explained”."),
    )
    text = forms.CharField(
        label=_("Standard answer"),
        max_length=TEMPLATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
        help_text=_("Inserted into the reply or plan, where the user completes and edits it."),
    )
    policy_refs = forms.CharField(
        label=_("Policy references"),
        max_length=TEMPLATE_POLICY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Document names and numbers, one a line, e.g. 《供电营业规则》第十二条."),
    )
    use = forms.ChoiceField(
        label=_("Used for"),
        choices=TemplateUse.choices,
        initial=TemplateUse.REPLY,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    position = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=POSITION_MAX,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        help_text=_("Smaller first in the picker."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, template: ReplyTemplate | None = None, **kwargs) -> None:
        if template is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "item": template.item_id,
                "title": template.title,
                "text": template.text,
                "policy_refs": template.policy_refs,
                "use": template.use,
                "position": template.position,
                "version": template.version,
            }
        super().__init__(*args, **kwargs)
        self.template = template
        if template is not None:
            self.fields["version"].required = True
            if template.item_id and not template.item.is_active:  # keep a retired item shown
                self.fields["item"].queryset = (
                    ServiceItem.objects.filter(pk=template.item_id).select_related("category")
                    | self.fields["item"].queryset
                )

    def service_kwargs(self) -> dict:
        """Return the cleaned fields as the services take them (without the version)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["position"] = data.get("position") or 0
        return data
