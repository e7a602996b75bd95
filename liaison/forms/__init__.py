"""Forms of the liaison app: one module per area."""

from liaison.forms.calendar import (
    CalendarDayClearForm,
    CalendarDayForm,
    CalendarStatutoryForm,
    CalendarYearForm,
)
from liaison.forms.entries import ACTION_FORMS as ACTION_FORMS
from liaison.forms.imports import ImportUploadForm

__all__ = [
    "CalendarDayClearForm",
    "CalendarDayForm",
    "CalendarStatutoryForm",
    "CalendarYearForm",
    "ImportUploadForm",
]
