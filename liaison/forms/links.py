"""The entry page's forms for related entries and duplicates (相关事项, 一事一记, R11), and the
reply form's choice of duplicates to reply together with the original."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.models import LINK_NOTE_MAX_LENGTH, Entry, User
from liaison.selectors.links import reply_together_candidates

NUMBER = forms.TextInput(attrs={"class": "form-control form-control-sm", "autocomplete": "off"})
NOTE = forms.TextInput(attrs={"class": "form-control form-control-sm"})


class LinkForm(forms.Form):
    """Link an entry, named by its number, to this one."""

    number = forms.CharField(label=_("Entry number"), max_length=40, widget=NUMBER)
    note = forms.CharField(
        label=_("How they are related"), max_length=LINK_NOTE_MAX_LENGTH, required=False,
        widget=NOTE,
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_link_%s")
        super().__init__(*args, **kwargs)


class MarkDuplicateForm(forms.Form):
    """Mark this entry as a duplicate of an earlier one, named by its number (R11)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    number = forms.CharField(label=_("Number of the original entry"), max_length=40, widget=NUMBER)
    note = forms.CharField(
        label=_("Note"), max_length=LINK_NOTE_MAX_LENGTH, required=False, widget=NOTE
    )

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_duplicate_%s")
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = entry.version


class UnmarkDuplicateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


HELP_TOGETHER = _(
    "Each informant gets the same reply and a rating link; an entry not worked on yet is "
    "recorded as resolved together with this one."
)
NOT_OFFERED = _("Not offered: %(number)s (%(why)s)")


class _DuplicatesField(forms.TypedMultipleChoiceField):
    """The duplicates offered, ticked; one of the entry's other duplicates is accepted too
    (it changed since the page was shown: the service says why it is not replied)."""

    def __init__(self, *args, known: set[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.known = {str(pk) for pk in known}

    def valid_value(self, value) -> bool:
        return str(value) in self.known or super().valid_value(value)


class RepliesDuplicatesMixin:
    """For the reply form: when the entry has duplicates awaiting their reply that the user may
    reply together with it, a checkbox for each (all ticked): the same reply goes to each
    informant (entry_reply_together). Those the user may not reply to are named with why."""

    fields: dict
    user: User | None
    entry: Entry

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.duplicates_refused: list[tuple[Entry, str]] = []
        if self.user is None:
            return
        offered, self.duplicates_refused = reply_together_candidates(
            user=self.user, entry=self.entry
        )
        if not offered:
            return
        self.fields["duplicates"] = _DuplicatesField(
            known={d.pk for d in offered} | {d.pk for d, _why in self.duplicates_refused},
            label=_("Also reply to its duplicates with this reply (one matter, one record)"),
            choices=[(d.pk, f"{d.number} · {d.title} · {d.get_status_display()}") for d in offered],
            coerce=int,
            required=False,
            initial=[d.pk for d in offered],
            widget=forms.CheckboxSelectMultiple,
            help_text=" ".join(
                [
                    str(HELP_TOGETHER),
                    *(
                        str(NOT_OFFERED) % {"number": d.number, "why": why}
                        for d, why in self.duplicates_refused
                    ),
                ]
            ),
        )

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()  # type: ignore[misc]
        if not kwargs.get("duplicates"):
            kwargs.pop("duplicates", None)
        return kwargs
