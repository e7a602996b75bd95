"""The hot-topic page's query and the forms of a matter of the month (每月一题). A form checks
the input's shape; feedback.services.matters decides (owner, due date, entries)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.constants import MATTER_MAX_ENTRIES
from feedback.periods import month_of
from feedback.permissions import MATTER_OWNER_ROLES
from liaison.models import User

MONTH_FORMATS = ["%Y-%m"]


def last_complete_month(today: dt.date | None = None) -> dt.date:
    """The month the hot-topic page opens on: last month, the last one complete (每月一题 is
    picked from the month just ended)."""
    return month_of(month_of(today or timezone.localdate()) - dt.timedelta(days=1))


class _Strict(forms.Form):
    """Refuse parameters the form does not know (a query string is a list of fields)."""

    def clean(self):
        data = super().clean()
        unknown = set(self.data) - set(self.fields) - {"csrfmiddlewaretoken"}
        if unknown:
            raise forms.ValidationError(
                _("Unknown parameter: %(names)s") % {"names": ", ".join(sorted(unknown))}
            )
        return data


class MonthField(forms.DateField):
    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month", "class": "form-control"})

    def __init__(self, **kwargs):
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)


class HotTopicsForm(_Strict):
    """Which month (default: last month) and which unit of the user's subtree (default: the
    top of it)."""

    month = MonthField(label=_("Month"), required=False)
    # The node is checked against the user's subtree by the view (404 outside it).
    org = forms.IntegerField(label=_("Unit"), required=False, min_value=1)

    def the_month(self) -> dt.date:
        return month_of(self.cleaned_data.get("month") or last_complete_month())


class MatterListForm(_Strict):
    month = MonthField(label=_("Month"), required=False)


def entry_ids(text: str) -> list[int]:
    parts = [part for part in re.split(r"[\s,，]+", text or "") if part]
    if not all(part.isdigit() for part in parts):
        raise forms.ValidationError(_("Entries are given by their ids, separated by commas."))
    if len(parts) > MATTER_MAX_ENTRIES:
        raise forms.ValidationError(
            _("A matter of the month links at most %(n)d entries.") % {"n": MATTER_MAX_ENTRIES}
        )
    return [int(part) for part in parts]


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} · {obj.get_role_display()}"


class MatterForm(forms.Form):
    """A matter's title, owner, due date and plan (its page's edit form)."""

    # The fields laid out across the whole form; the others share a row on a wide screen.
    full_width = ("title", "plan")

    title = forms.CharField(
        label=_("Title"), max_length=120, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    owner = OwnerField(
        label=_("Owner"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_on = forms.DateField(
        label=_("Due on"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    plan = forms.CharField(
        label=_("Plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=sorted(MATTER_OWNER_ROLES)
        ).order_by("role", "last_name", "first_name", "username")


class MatterCreateForm(MatterForm):
    """A new matter: the month it is picked in and the entries it links (a cluster's ids)."""

    month = MonthField(
        label=_("Month"), widget=forms.DateInput(format="%Y-%m", attrs={"type": "hidden"})
    )
    entries = forms.CharField(widget=forms.HiddenInput)

    def clean_entries(self) -> list[int]:
        ids = entry_ids(self.cleaned_data["entries"])
        if not ids:
            raise forms.ValidationError(_("Pick at least one entry."))
        return ids


class MatterEntriesForm(forms.Form):
    """Entries to link, by number (as printed on the entry) or id."""

    numbers = forms.CharField(
        label=_("Entry numbers"),
        max_length=4000,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("One or more entry numbers, separated by commas or spaces."),
    )

    def clean_numbers(self) -> list[str]:
        parts = [p for p in re.split(r"[\s,，]+", self.cleaned_data["numbers"]) if p]
        if not parts:
            raise forms.ValidationError(_("Give at least one entry number."))
        if len(parts) > MATTER_MAX_ENTRIES:
            raise forms.ValidationError(
                _("A matter of the month links at most %(n)d entries.") % {"n": MATTER_MAX_ENTRIES}
            )
        return parts


class MatterCloseForm(forms.Form):
    closing_note = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=4000,
    )
