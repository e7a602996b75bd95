"""The filters of the campaign pages (django-filter): the pairs by rule, subtree, name or code;
the raters by subtree. Only the listed filters are accepted (liaison.filters.ScopedFilterSet:
the subtrees offered are the user's)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.constants import EvaluationRule
from feedback.models import EvaluationAssignment, EvaluationRater
from feedback.selectors.campaigns import in_subtree
from liaison.filters import ALL, NameChoiceFilter, ScopedFilterSet
from liaison.models import OrgNode

SEARCH_MAX_LENGTH = 100


class PairFilter(ScopedFilterSet):
    """The pairs of a campaign: by rule, by a subtree (either side in it), by name or code."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("name or code")}),
    )
    rule = django_filters.ChoiceFilter(
        label=_("Rule"), choices=EvaluationRule.choices, empty_label=ALL
    )
    org = NameChoiceFilter(
        label=_("Organisation (with subtree)"),
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )

    class Meta:
        model = EvaluationAssignment
        fields: list[str] = []

    def in_subtree(self, queryset, name, value):
        if value is None:
            return queryset
        raters = EvaluationRater.objects.filter(in_subtree(value)).values("pk")
        return queryset.filter(
            Q(rater_id__in=raters)
            | Q(ratee_person__org__path__startswith=value.path)
            | Q(ratee_org__path__startswith=value.path)
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for side in ("rater__person", "rater__unit", "rater__org", "ratee_person", "ratee_org"):
            condition |= Q(**{f"{side}__name__icontains": value}) | Q(**{f"{side}__code": value})
        return queryset.filter(condition)


class RaterFilter(ScopedFilterSet):
    """The progress page: the subtree whose units are counted and whose raters are listed."""

    org = NameChoiceFilter(
        label=_("Organisation (with subtree)"),
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )

    class Meta:
        model = EvaluationRater
        fields: list[str] = []

    def in_subtree(self, queryset, name, value):
        return queryset.filter(in_subtree(value)) if value is not None else queryset
