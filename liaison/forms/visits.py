"""The "log a visit" form: the visit and its entry rows (a formset), checked for shape only;
`liaison.services.visits.visit_log` decides what is allowed and writes it.

People are typed, not chosen from a province-long list: an input takes "CODE name", a code or an
exact name, with a <datalist> of suggestions that works without JavaScript (the people of the
chosen ledger) and that htmx refills from /people/search/ as the user types.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django import forms
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from liaison import permissions
from liaison.constants import (
    ChannelScope,
    Colour,
    EntryKind,
    EntryStatus,
    OrgKind,
    PersonKind,
    PlaceType,
)
from liaison.forms.people import (
    PersonReferenceField,
    person_input,
)
from liaison.models import Channel, OrgNode, Person, ServiceItem, User
from liaison.selectors.visits import person_lookup, person_shortlist, visitor_choices
from liaison.services.visits import LoggedVisit, VisitRejected, visit_orgs

ROW_PREFIX = "entries"
# One visit holds at most this many entries; more rows are refused, never silently dropped.
MAX_ROWS = 20
_ROW_NAME = re.compile(rf"^{ROW_PREFIX}-\d{{1,2}}$")


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgNode) -> str:
        return f"— {obj.name}" if obj.kind == OrgKind.GROUP else obj.name


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Visit date"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    org = OrgChoiceField(
        label=_("Ledger of"),
        queryset=OrgNode.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Choose a branch or party group within your scope.")},
    )
    place_type = forms.ChoiceField(
        label=_("Place type"),
        choices=[("", _("From the visited party")), *PlaceType.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    visitors = forms.ModelMultipleChoiceField(
        label=_("Visitors"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("Choose visitors among the employees in your scope.")},
    )
    note = forms.CharField(
        label=_("Note on the visit"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, user: User, org_hint: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["visited_party"] = PersonReferenceField(
            user=user,
            label=_("Visited person or party"),
            required=False,
            widget=person_input(self.add_prefix("visited_party"), _("Name or code")),
        )
        self.order_fields(
            ["visited_on", "org", "visited_party", "place_type", "place", "visitors", "note"]
        )
        self.orgs = list(visit_orgs(user))
        self.fields["org"].queryset = visit_orgs(user)
        self.fields["visitors"].queryset = permissions.visible_people(user).filter(
            kind=PersonKind.EMPLOYEE
        )
        self.fields["visited_on"].initial = timezone.localdate
        default = user.scope_org_id if any(o.pk == user.scope_org_id for o in self.orgs) else None
        if default is None and len(self.orgs) == 1:
            default = self.orgs[0].pk
        self.fields["org"].initial = default
        self.fields["visitors"].initial = [user.person_id] if user.person_id else []
        picked = self.data.get(self.add_prefix("org")) or org_hint
        self.chosen_org = self._chosen_org(picked, default)
        offered = visitor_choices(user=user, org=self.chosen_org)
        self.fields["visitors"].widget.choices = [(p.pk, p.name) for p in offered]
        self.fields["org"].widget.attrs.update(
            {  # another ledger: offer its party members as visitors
                "hx-get": reverse("liaison:visit_create"),
                "hx-target": "#visitors",
                "hx-swap": "outerHTML",
            }
        )

    def _chosen_org(self, value, default) -> OrgNode | None:
        """The ledger the user has picked so far (for the people offered), if it is allowed."""
        wanted = str(value) if value else str(default or "")
        return next((o for o in self.orgs if str(o.pk) == wanted), None)


@dataclass
class EntryChoices:
    """The channels and service items of every row, read once per request."""

    channels: list = field(default_factory=list)
    items: list = field(default_factory=list)
    first_channel: int | None = None

    @classmethod
    def load(cls) -> EntryChoices:
        channels = list(Channel.objects.filter(is_active=True))
        items = list(
            ServiceItem.objects.filter(is_active=True, category__is_active=True).select_related(
                "category"
            )
        )
        by_scope = [
            (scope.label, [(c.pk, c.name) for c in channels if c.scope == scope])
            for scope in ChannelScope
        ]
        by_category: dict[str, list] = {}
        for item in items:
            by_category.setdefault(item.category.name, []).append((item.pk, item.name))
        groups = [group for group in by_scope if group[1]]
        return cls(
            channels=[("", "---------"), *groups],
            items=[("", "---------"), *by_category.items()],
            first_channel=groups[0][1][0][0] if groups else None,  # 走基层: the visit itself
        )


class EntryRowForm(forms.Form):
    """One entry heard on the visit (R2–R6)."""

    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=EntryKind.choices,
        initial=EntryKind.PROBLEM,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    colour = forms.ChoiceField(
        label=_("Colour"),
        choices=Colour.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    target_on = forms.DateField(
        label=_("Target date (yellow)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    item = forms.ModelChoiceField(
        label=_("Service item"),
        queryset=ServiceItem.objects.filter(is_active=True),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.filter(is_active=True),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user: User, choices: EntryChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informant"] = PersonReferenceField(
            user=user,
            label=_("Informant"),
            required=False,
            widget=person_input(self.add_prefix("informant"), _("Whom you visited")),
        )
        self.fields["party"] = PersonReferenceField(
            user=user,
            label=_("Party concerned"),
            required=False,
            widget=person_input(self.add_prefix("party"), _("If another than the informant")),
        )
        self.fields["duplicate_of"] = forms.ModelChoiceField(
            queryset=permissions.visible_entries(user).exclude(status=EntryStatus.VOID),
            required=False,
            widget=forms.HiddenInput,
            error_messages={
                "invalid_choice": _(
                    "The earlier entry to link to does not exist or is outside your scope."
                )
            },
        )
        self.fields["channel"].choices = choices.channels
        self.fields["channel"].initial = choices.first_channel
        self.fields["item"].choices = choices.items
        similar = {
            "hx-get": reverse("liaison:entry_similar"),
            "hx-trigger": "input changed delay:500ms, change",  # input: IME, paste, phones
            "hx-target": f"#{self.prefix}-similar",
            "hx-include": f"#{self.prefix}-fields, #id_org, #id_visited_party",
            "hx-vals": json.dumps({"row": self.prefix}),
            "hx-sync": "this:replace",
        }
        for name in ("title", "description"):
            self.fields[name].widget.attrs.update(similar)

    def clean(self):
        data = super().clean()
        if data.get("colour") != Colour.YELLOW:
            data["target_on"] = None  # the input belongs to yellow; left over, it means nothing
        return data

    @property
    def number(self) -> int:
        """The row's place on the page, counted from 1."""
        return int(self.prefix.rsplit("-", 1)[1]) + 1

    @property
    def linked_entry(self):
        """The earlier entry this row is marked the same matter as, once checked."""
        return (getattr(self, "cleaned_data", None) or {}).get("duplicate_of")

    def entry_row(self) -> dict:
        """The row as visit_log takes it."""
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "kind", "colour", "target_on", "channel", "item", "informant", "party",
            "title", "description", "duplicate_of",
        )}  # fmt: skip


class BaseEntryRowFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Leave this entry out")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def filled_forms(self) -> list[EntryRowForm]:
        """The rows typed into and not left out (an untouched row is ignored)."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]


EntryRowFormSet = forms.formset_factory(
    EntryRowForm,
    formset=BaseEntryRowFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)


def _silence(form) -> None:
    """Show what was typed without judging it: adding a row is not a save."""
    form._errors = ErrorDict()
    form.cleaned_data = {}


class VisitLogForm:
    """The visit and its entry rows, bound and checked together, for the view."""

    def __init__(self, data=None, *, user: User, org_hint: str | None = None):
        self.user = user
        self.data = data
        self.visit = VisitForm(data, user=user, org_hint=org_hint)
        self.choices = EntryChoices.load()
        self.rows = EntryRowFormSet(
            data, prefix=ROW_PREFIX, form_kwargs={"user": user, "choices": self.choices}
        )
        self._people = None

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    @property
    def people(self):
        """The suggestions of the person inputs before any search (read once, when shown)."""
        if self._people is None:
            self._people = person_shortlist(user=self.user, org=self.visit.chosen_org)
        return self._people

    def is_valid(self) -> bool:
        visit_ok = self.visit.is_valid()
        return self.rows.is_valid() and visit_ok

    def service_kwargs(self) -> dict:
        """The arguments of visit_log (without the actor)."""
        data = self.visit.cleaned_data
        self._filled = self.rows.filled_forms()
        return {
            "org": data["org"],
            "visited_on": data["visited_on"],
            "place_type": data["place_type"],
            "place": data["place"],
            "visited_party": data["visited_party"],
            "visitors": list(data["visitors"]),
            "note": data["note"],
            "entries": [form.entry_row() for form in self._filled],
        }

    def reject(self, error: VisitRejected) -> None:
        """Show the service's objections on the visit and on the rows they concern."""
        for name, messages in error.visit_errors.items():
            for message in messages:
                self.visit.add_error(name if name in self.visit.fields else None, message)
        for index, errors in error.row_errors.items():
            form = self._filled[index]
            for name, messages in errors.items():
                for message in messages:
                    form.add_error(name if name in form.fields else None, message)

    def with_extra_row(self) -> VisitLogForm:
        """The same form with one more (empty) entry row, nothing judged (no JavaScript)."""
        data = self.data.copy()
        key = f"{ROW_PREFIX}-TOTAL_FORMS"
        try:
            total = int(data.get(key, 1))
        except ValueError:
            total = 1
        data[key] = str(max(1, min(total + 1, MAX_ROWS)))
        form = VisitLogForm(data, user=self.user)
        for each in [form.visit, *form.rows.forms]:
            _silence(each)
        form.rows._non_form_errors = form.rows.error_class()
        form.rows._errors = [ErrorDict() for _ in form.rows.forms]
        return form


def new_row(data, *, user: User) -> EntryRowForm:
    """An empty entry row at the index the page's TOTAL_FORMS gives (htmx's "add an entry")."""
    try:
        index = int(data.get(f"{ROW_PREFIX}-TOTAL_FORMS", ""))
    except ValueError:
        index = -1
    if not 0 <= index < MAX_ROWS:
        raise forms.ValidationError(
            _("A visit holds at most %(max)d entries.") % {"max": MAX_ROWS}, code="too_many"
        )
    rows = EntryRowFormSet(
        prefix=ROW_PREFIX, form_kwargs={"user": user, "choices": EntryChoices.load()}
    )
    row = rows.form(
        auto_id=rows.auto_id,
        prefix=rows.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        renderer=rows.renderer,
        **rows.get_form_kwargs(index),
    )
    rows.add_fields(row, index)  # the "leave this entry out" box, as on the other rows
    row.fields["title"].widget.attrs["autofocus"] = True  # htmx focuses it: type on at once
    return row


def similar_query(data, *, user: User) -> dict | None:
    """Read the draft of one row from the similar-entries request (hx-include of the row, the
    ledger and the visited party); None when the request names no row."""
    row = data.get("row", "")
    if not _ROW_NAME.match(row):
        return None

    def person(name: str):
        found = person_lookup(user=user, text=data.get(name, "")[:150])
        return found[0].pk if len(found) == 1 else None

    org_id = data.get("org", "")
    org = visit_orgs(user).filter(pk=org_id).first() if org_id.isdigit() else None
    return {
        "title": data.get(f"{row}-title", "")[:120],
        "description": data.get(f"{row}-description", "")[:2000],
        "people": [
            person(f"{row}-party"),
            person(f"{row}-informant") or person("visited_party"),
        ],
        "org": org,
    }


def logged_message(logged: LoggedVisit) -> str:
    numbers = ", ".join(entry.number for entry in logged.entries)
    if not numbers:
        return str(_("Visit saved, without entries."))
    return ngettext(
        "Visit saved with entry %(numbers)s.",
        "Visit saved with entries %(numbers)s.",
        len(logged.entries),
    ) % {"numbers": numbers}
