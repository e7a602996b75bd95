"""Forms: they check the shape of the input; services decide what it means."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from liaison.services import imports


class ImportUploadForm(forms.Form):
    """An Excel workbook to import, checked by extension, size and content."""

    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": f".xlsx,{imports.XLSX_CONTENT_TYPE}", "class": "form-control"}
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, write nothing yet"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("An .xlsx file of at most %(limit)s.") % {
            "limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() != ".xlsx":
            raise forms.ValidationError(
                _("Upload an Excel workbook ending in .xlsx (older .xls files: save as .xlsx)."),
                code="extension",
            )
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s; split it into several workbooks.")
                % {"limit": filesizeformat(limit)},
                code="too_big",
            )
        content = upload.read()
        imports.estimate_rows(content)  # raises ValidationError when it is not a usable workbook
        self.cleaned_data["content"] = content
        return upload
