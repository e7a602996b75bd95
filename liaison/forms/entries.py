"""The entry page's action forms: one per action of the state machine.

Each carries the entry's version as the page showed it (R16), and names its fields after the
arguments of the action's service; the service decides whether the action is allowed.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison import transitions
from liaison.constants import (
    Decision,
    ReplyMethod,
    RequestKind,
    ReturnReason,
    SuspendReason,
    TemplateUse,
    UnitKind,
)
from liaison.forms.links import RepliesDuplicatesMixin
from liaison.models import Entry, Unit, User

TEXT_MAX = 4000
TEXTAREA = {"rows": 3, "class": "form-control"}


def _text(label, *, required: bool = True, max_length: int = TEXT_MAX) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class EntryActionForm(forms.Form):
    """The version the page showed; subclasses add the action's own fields."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, entry: Entry, user: User | None = None, **kwargs) -> None:
        # Several action forms share one page: give each its own element ids.
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.user = user  # who will submit it, for a form whose choices depend on it
        self.fields["version"].initial = entry.version

    def service_kwargs(self) -> dict:
        """Return the cleaned input as the service's keyword arguments (without the version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class StartForm(EntryActionForm):
    note = _text(_("Note"), required=False)


class ResolveOnSpotForm(EntryActionForm):
    result = _text(_("How it was resolved"))


class _DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ReferForm(EntryActionForm):
    department = _DepartmentChoiceField(
        label=_("Department"),
        queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("name"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = _text(_("Referral note"), required=False)

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        super().__init__(*args, entry=entry, **kwargs)
        self.fields["department"].initial = entry.item.default_department_id


class SignForForm(EntryActionForm):
    note = _text(_("Note"), required=False)


class ReturnReferralForm(EntryActionForm):
    reason = forms.ChoiceField(
        label=_("Why it is returned"),
        choices=ReturnReason.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = _text(_("Explanation (required for “other”)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == ReturnReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the referral is returned."))
        return data


class ArbitrateForm(EntryActionForm):
    department = _DepartmentChoiceField(
        label=_("Department that must take it"),
        queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("name"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = _text(_("Decision"), required=False)


class AddCohandlerForm(EntryActionForm):
    department = _DepartmentChoiceField(
        label=_("Co-handling department"),
        queryset=Unit.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = _text(_("What is asked of it"), required=False)

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        super().__init__(*args, entry=entry, **kwargs)
        self.fields["department"].queryset = (
            Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True)
            .exclude(pk=entry.department_id)
            .exclude(cohandled__entry=entry)
            .order_by("name")
        )


class RequestExtensionForm(EntryActionForm):
    due_on = forms.DateField(
        label=_("New due date asked for"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as 2026-10-17.")},
    )
    reason = _text(_("Why more time is needed"))


class DecideExtensionForm(EntryActionForm):
    decision = forms.ChoiceField(
        label=pgettext_lazy("request", "Decision"),
        choices=Decision.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = _text(_("Note (required to reject)"), required=False)

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        super().__init__(*args, entry=entry, **kwargs)
        if entry.request_date:
            if entry.request_kind == RequestKind.SUSPENSION:
                text = _("Asked for: suspend until a review on %(date)s. %(reason)s")
            else:
                text = _("Asked for: until %(date)s. %(reason)s")
            self.fields["decision"].help_text = text % {
                "date": entry.request_date.isoformat(),
                "reason": entry.request_reason,
            }


class SuspendForm(EntryActionForm):
    reason = forms.ChoiceField(
        label=_("Why the entry waits"),
        choices=SuspendReason.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = _text(_("What it waits for"))
    review_on = forms.DateField(
        label=_("Review on"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as 2026-10-17.")},
    )


class DecideSuspensionForm(DecideExtensionForm):
    pass


class ResumeForm(EntryActionForm):
    note = _text(_("Note"), required=False)


class TemplatePicked(forms.Form):
    """A form whose text may start from a reply template of the knowledge base: the entry
    page's picker (static/js/reply_templates.js) puts the template's answer into the
    `template_target` field and its id into `template`, which the service counts as one use.
    A template id that is not a number is dropped, never refused: the text is what matters."""

    template_use: str = TemplateUse.REPLY
    template_target: str = "text"

    template = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offered_templates: list = []  # the entry page fills it in (one query)

    def clean_template(self) -> int | None:
        value = (self.cleaned_data.get("template") or "").strip()
        if not (value.isascii() and value.isdecimal() and len(value) <= 10):
            return None
        return int(value) if 0 < int(value) < 2**31 else None

    @property
    def template_textarea(self) -> forms.BoundField:
        return self[self.template_target]


class RecordPlanForm(TemplatePicked, EntryActionForm):
    template_use = TemplateUse.PLAN
    template_target = "plan"

    plan = _text(_("Solution plan"))


class RecordResultForm(EntryActionForm):
    result = _text(_("Result"))


class ReplyForm(TemplatePicked, RepliesDuplicatesMixin, EntryActionForm):
    text = _text(_("Reply"))
    method = forms.ChoiceField(
        label=_("How the informant was told"),
        choices=ReplyMethod.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.get_role_display() or obj.username})"


class TransferForm(EntryActionForm):
    new_owner = _UserChoiceField(
        label=_("New owner"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("An active user whose scope covers the entry's ledger."),
    )
    note = _text(_("Why"), required=False)

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        super().__init__(*args, entry=entry, **kwargs)
        self.fields["new_owner"].queryset = transitions.transfer_candidates(entry=entry)


class ProgressNoteForm(EntryActionForm):
    note = _text(_("Progress note"))


class VoidForm(EntryActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


def form_again(form: forms.Form, *, entry: Entry) -> forms.Form:
    """Return a versioned form of the entry page (an action's, feedback's rating form) bound once
    more to what the user posted, against `entry` as it now stands and with its current version:
    after a conflict (R16) the user's work is offered again, and a second submit goes through."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(entry.version)
    if isinstance(form, EntryActionForm):
        return type(form)(data, entry=entry, user=form.user)
    return type(form)(data, entry=entry)


def typed_text(form: forms.Form) -> list[tuple[str, str]]:
    """Return (label, text) of each text field the user filled in on `form`, as posted."""
    found = []
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField) or field.widget.is_hidden:
            continue
        text = str(form.data.get(form.add_prefix(name), "")).strip()
        if text:
            found.append((str(field.label), text))
    return found


ACTION_FORMS: dict[str, type[EntryActionForm]] = {
    transitions.Action.START: StartForm,
    transitions.Action.RESOLVE_ON_SPOT: ResolveOnSpotForm,
    transitions.Action.REFER: ReferForm,
    transitions.Action.SIGN_FOR: SignForForm,
    transitions.Action.RETURN_REFERRAL: ReturnReferralForm,
    transitions.Action.ARBITRATE: ArbitrateForm,
    transitions.Action.ADD_COHANDLER: AddCohandlerForm,
    transitions.Action.REQUEST_EXTENSION: RequestExtensionForm,
    transitions.Action.DECIDE_EXTENSION: DecideExtensionForm,
    transitions.Action.SUSPEND: SuspendForm,
    transitions.Action.DECIDE_SUSPENSION: DecideSuspensionForm,
    transitions.Action.RESUME: ResumeForm,
    transitions.Action.RECORD_PLAN: RecordPlanForm,
    transitions.Action.RECORD_RESULT: RecordResultForm,
    transitions.Action.REPLY: ReplyForm,
    transitions.Action.TRANSFER: TransferForm,
    transitions.Action.PROGRESS_NOTE: ProgressNoteForm,
    transitions.Action.VOID: VoidForm,
}
