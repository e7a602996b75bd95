"""django-filter sets for the people and pairing lists; every choice is scoped to the user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison import permissions
from liaison.constants import OrgKind, PairingKind, PersonKind
from liaison.models import OrgNode, Pairing, Person, User

YES_NO = [("true", _("Yes")), ("false", _("No"))]
ALL = _("All")


class YesNoFilter(django_filters.ChoiceFilter):
    """A yes/no filter on a boolean field, empty meaning "all"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES_NO)
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return qs.filter(**{self.field_name: value == "true"})


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose org choices are the user's visible subtree."""

    def __init__(self, data=None, queryset=None, *, user: User, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        # Party groups are left out of the choice: choosing their branch includes them, and a
        # province has hundreds of groups that would bury the branches in the list.
        self.filters["org"].queryset = (
            permissions.visible_orgs(user).exclude(kind=OrgKind.GROUP).order_by("path")
        )
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    @staticmethod
    def subtree(queryset: QuerySet, field_prefix: str, node: OrgNode | None) -> QuerySet:
        if node is None:
            return queryset
        return queryset.filter(**{f"{field_prefix}__path__startswith": node.path})


class PersonFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PersonKind.choices, empty_label=ALL)
    org = django_filters.ModelChoiceFilter(
        label=_("Organisation (with subtree)"),
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )
    is_party_member = YesNoFilter(label=_("Party member"))
    is_frontline = YesNoFilter(label=_("Frontline"))
    is_special_needs = YesNoFilter(label=_("Special needs"))
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Person
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(phone__icontains=value)
        )

    def in_subtree(self, queryset, name, value):
        return self.subtree(queryset, "org", value)


class PairingFilter(ScopedFilterSet):
    STATUS_CHOICES = [("active", _("Running today")), ("ended", _("Ended"))]

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=PairingKind.choices, empty_label=ALL
    )
    org = django_filters.ModelChoiceFilter(
        label=_("Liaison side in (with subtree)"),
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="by_status", empty_label=ALL
    )

    class Meta:
        model = Pairing
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(person__name__icontains=value)
            | Q(org__name__icontains=value)
            | Q(target_person__name__icontains=value)
            | Q(target_unit__name__icontains=value)
            | Q(target_org__name__icontains=value)
        )

    def in_subtree(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(
            Q(person__org__path__startswith=value.path) | Q(org__path__startswith=value.path)
        )

    def by_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "active":
            return queryset.active_on(today)
        if value == "ended":
            return queryset.filter(end_on__lt=today)
        return queryset
