"""The forms that attach photos and files (R23) and withdraw one; what a file may be is
liaison.uploads', decided by the service."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from liaison.services.attachments import CAPTION_MAX_LENGTH, REASON_MAX_LENGTH
from liaison.uploads import ACCEPT


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleaned to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT, "class": "form-control"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class AttachmentForm(forms.Form):
    """Photos and files for an entry or a visit: the step is the entry's (liaison.evidence)."""

    files = MultipleFileField(
        label=_("Choose photos or files"),
        required=False,
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=CAPTION_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("For example: before the repair, after the repair, the signed sheet."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "Photos, PDF, Word, Excel or PowerPoint; several at once, up to %(size)s each and "
            "%(n)d in all. Location data is removed from photos."
        ) % {"size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
             "n": settings.ATTACHMENT_MAX_PER_OBJECT}  # fmt: skip

    def uploads(self) -> list:
        return list(self.cleaned_data.get("files") or [])


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
