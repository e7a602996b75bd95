"""The filters' choices of organisations, channels and categories (liaison.filters.
NameChoiceFilter) are read as (id, name) pairs and drawn exactly as django-filter's
ModelChoiceFilter draws them from model instances; a chosen value is still checked against
the user's own choices and reaches the filter as the object."""

from __future__ import annotations

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.constants import Role
from liaison.filters import ALL, EntryFilter, NameChoiceFilter
from liaison.models import Channel, Entry, OrgNode, ServiceCategory

pytestmark = pytest.mark.django_db


class InstanceEntryFilter(EntryFilter):
    """The same filters with django-filter's own choice of model instances."""

    category = django_filters.ModelChoiceFilter(
        label=EntryFilter.base_filters["category"].label,
        field_name="item__category",
        queryset=ServiceCategory.objects.order_by("position", "name"),
        empty_label=ALL,
    )
    channel = django_filters.ModelChoiceFilter(
        label=EntryFilter.base_filters["channel"].label,
        queryset=Channel.objects.order_by("scope", "position", "name"),
        empty_label=ALL,
    )
    org = django_filters.ModelChoiceFilter(
        label=EntryFilter.base_filters["org"].label,
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )


def drawn(filterset_class, data, user) -> dict[str, str]:
    filterset = filterset_class(data, queryset=Entry.objects.all(), user=user)
    filterset.is_valid()
    return {name: str(filterset.form[name]) for name in ("org", "channel", "category")}


def test_the_choices_are_drawn_as_from_instances(world):
    user = world.users[Role.PARTY_BUILDING]
    assert isinstance(EntryFilter.base_filters["org"], NameChoiceFilter)
    channel = Channel.objects.order_by("pk").first()
    for data in ({}, {"org": str(world.branch_a.pk), "channel": str(channel.pk)}):
        assert drawn(EntryFilter, data, user) == drawn(InstanceEntryFilter, data, user)
    chosen = drawn(EntryFilter, {"org": str(world.branch_a.pk)}, user)["org"]
    assert f'<option value="{world.branch_a.pk}" selected>{world.branch_a.name}</option>' in chosen


def test_the_options_are_read_as_id_and_name(world):
    user = world.users[Role.PARTY_BUILDING]
    filterset = EntryFilter({}, queryset=Entry.objects.all(), user=user)
    with CaptureQueriesContext(connection) as ctx:
        str(filterset.form["org"])
    (query,) = [q["sql"] for q in ctx.captured_queries if "liaison_orgnode" in q["sql"]]
    selected = query.split(" FROM ")[0]
    assert '"liaison_orgnode"."id"' in selected and '"liaison_orgnode"."name"' in selected
    assert '"liaison_orgnode"."path"' not in selected


def test_a_chosen_org_is_checked_and_given_as_the_object(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    outside = EntryFilter({"org": str(world.branch_b.pk)}, queryset=Entry.objects.all(),
                          user=secretary)  # fmt: skip
    assert not outside.is_valid() and "org" in outside.errors
    inside = EntryFilter({"org": str(world.branch_a.pk)}, queryset=Entry.objects.all(),
                         user=secretary)  # fmt: skip
    assert inside.is_valid()
    assert inside.form.cleaned_data["org"] == world.branch_a
