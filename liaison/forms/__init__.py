"""Forms of the liaison app: one module per area."""

from liaison.forms.imports import ImportUploadForm

__all__ = ["ImportUploadForm"]
