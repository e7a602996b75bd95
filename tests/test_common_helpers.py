"""The neutral helpers of common/ that the hot pages and the jobs lean on: AnyOf and InValues (an id
list as an index condition), PreparedQuery (a read compiled once), bulk_insert's skipping of
conflicting rows, html() and LeanSelect (the same markup as Django's, drawn faster). On SQLite and
on PostgreSQL (CI sets DATABASE_URL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.db import connection
from django.db.models import CharField, Count, DateField, Max, Q, Value
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from common.bulk import bulk_insert
from common.expressions import AnyOf, InValues
from common.html import html, html_join
from common.prepared import Param, PreparedQuery
from common.widgets import LeanSelect, style_filter_fields
from liaison.constants import NotificationKind, Role
from liaison.models import Entry, Notification, OrgNode, in_subtree
from tests.fixtures.factories import make_entry, make_user


def test_any_of_keeps_the_rows_whose_column_the_subquery_lists(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    in_a = make_entry(secretary, title="甲支部")
    in_b = make_entry(make_user(Role.BRANCH_SECRETARY, scope=world.branch_b), title="乙支部")
    under_a = OrgNode.objects.filter(path__startswith=world.branch_a.path).values("pk")

    found = Entry.objects.filter(AnyOf("org_id", under_a))
    assert set(found) == {in_a}
    assert set(Entry.objects.exclude(AnyOf("org_id", under_a))) >= {in_b}
    # ORed with another condition, as visible_entries does.
    either = Entry.objects.filter(Q(AnyOf("org_id", under_a)) | Q(pk=in_b.pk))
    assert set(either) == {in_a, in_b}
    assert set(Entry.objects.filter(in_subtree("org_id", world.branch_a.path))) == {in_a}
    sql = str(found.query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql  # worked out once, an index condition
    else:
        assert " IN (SELECT" in sql


def test_in_values_keeps_the_rows_whose_column_the_list_holds(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    first, second, third = (make_entry(secretary, title=t) for t in ("甲", "乙", "丙"))

    found = Entry.objects.filter(InValues("pk", [first.pk, third.pk]))
    assert set(found) == {first, third}
    assert set(Entry.objects.exclude(InValues("pk", [first.pk]))) == {second, third}
    assert not Entry.objects.filter(InValues("pk", [])).exists()
    assert set(Entry.objects.exclude(InValues("pk", []))) == {first, second, third}
    # ORed with another condition, as the department inbox does.
    either = Entry.objects.filter(Q(InValues("pk", [first.pk])) | Q(title="乙"))
    assert set(either) == {first, second}
    sql, params = found.query.sql_with_params()
    if connection.vendor == "postgresql":
        # One array typed as the column: an integer[] against bigint is never hashed.
        assert '"liaison_entry"."id" = ANY(%s::bigint[])' in sql
        assert [first.pk, third.pk] in params
    else:
        assert '"liaison_entry"."id" IN (%s, %s)' in sql


def test_a_prepared_query_runs_its_compiled_sql_with_each_runs_values(
    world, django_assert_num_queries
):
    """Built and compiled once, it gives what the ORM gives for the values of each run, a
    path's LIKE pattern and a date column's value included, converted as the ORM converts."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    make_entry(secretary, recorded_on=dt.date(2026, 9, 1))
    make_entry(secretary, recorded_on=dt.date(2026, 9, 3), colour="orange")
    make_entry(secretary, org=world.branch_b, recorded_on=dt.date(2026, 9, 2))
    built = []

    def build():
        built.append(1)
        return (
            Entry.objects.filter(
                in_subtree("org_id", Param("path", CharField())),
                recorded_on__gte=Param("since", DateField()),
            )
            .order_by("colour")
            .values("colour")
            .annotate(n=Count("pk"), last=Max("recorded_on"))
        )

    prepared = PreparedQuery(build)

    def orm(path, since):
        return list(
            Entry.objects.filter(in_subtree("org_id", path), recorded_on__gte=since)
            .order_by("colour")
            .values("colour")
            .annotate(n=Count("pk"), last=Max("recorded_on"))
        )

    for path, since in [
        (world.company.path, dt.date(2026, 1, 1)),
        (world.branch_a.path, dt.date(2026, 9, 2)),
        (world.committee_b.path, dt.date(2026, 9, 2)),
        (world.branch_b.path, dt.date(2026, 9, 3)),
    ]:
        with django_assert_num_queries(1):
            rows = prepared.rows(path=path, since=since)
        assert rows == orm(path, since)
    assert rows == []
    assert prepared.rows(path=world.branch_a.path, since=dt.date(2026, 1, 1))[-1] == {
        "colour": "red",
        "n": 1,
        "last": dt.date(2026, 9, 1),  # a date, as the ORM gives it on SQLite too
    }
    assert len(built) == 1
    with pytest.raises(TypeError):
        prepared.rows(path=world.branch_a.path)  # a value missing
    # Columns named in the order values() was given, an annotation first; a union too.
    mixed = PreparedQuery(
        lambda: (
            Entry.objects.filter(recorded_on=Param("day", DateField()))
            .annotate(tag=Value("x"))
            .order_by()
            .values("tag", "colour")
            .union(
                Entry.objects.filter(recorded_on__gt=Param("day", DateField()))
                .annotate(tag=Value("y"))
                .order_by()
                .values("tag", "colour"),
                all=True,
            )
        )
    )
    assert sorted((row["tag"], row["colour"]) for row in mixed.rows(day=dt.date(2026, 9, 2))) == [
        ("x", "red"),
        ("y", "orange"),
    ]


def test_a_prepared_querys_text_param_is_escaped_in_a_pattern_and_using_is_refused(world):
    """A Param in `startswith` is escaped as the ORM escapes a value: "%" and "_" are
    themselves, not wildcards. A built queryset that names its database is refused."""
    from django.core.exceptions import ImproperlyConfigured

    secretary = world.users[Role.BRANCH_SECRETARY]
    for title in ("50%_降损", "50xy降损", "50%a降损"):
        make_entry(secretary, title=title)
    prepared = PreparedQuery(
        lambda: (
            Entry.objects.filter(title__startswith=Param("start", CharField()))
            .order_by("title")
            .values("title")
        )
    )
    assert [row["title"] for row in prepared.rows(start="50%_")] == ["50%_降损"]
    assert [row["title"] for row in prepared.rows(start="50%")] == ["50%_降损", "50%a降损"]
    assert len(prepared.rows(start="50")) == 3
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(lambda: Entry.objects.using("default").values("title")).rows()


def test_bulk_insert_skips_the_rows_a_unique_constraint_refuses(world):
    user = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(user)
    now = timezone.now()
    names = ["recipient", "entry", "kind", "occasion", "message", "created_at"]
    first = (user.pk, entry.pk, NotificationKind.OVERDUE, 1, "已超期", now)
    bulk_insert(Notification, names, [first], ignore_conflicts=True)
    again = (user.pk, entry.pk, NotificationKind.OVERDUE, 1, "又一次", now)
    other = (user.pk, entry.pk, NotificationKind.OVERDUE, 2, "第二个期限", now)
    bulk_insert(Notification, names, [again, other], ignore_conflicts=True)
    assert sorted(Notification.objects.values_list("occasion", "message")) == [
        (1, "已超期"),
        (2, "第二个期限"),
    ]


def _same_quotes(text: str) -> str:
    """markupsafe writes quotes as &#34; and &#39;, Django as &quot; and &#x27;: the same."""
    plain = str.__str__(text)  # markupsafe's Markup would escape replace()'s arguments
    return plain.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")


def test_html_gives_what_format_html_gives():
    safe = mark_safe("<b>已办结</b>")
    cases = [("/e/1/", "食堂 <饮水> & \"热水\" '冷'"), ("x", safe), (3, gettext_lazy("Overdue"))]
    for args in cases:
        ours = html('<a href="{}">{}</a>', *args)
        assert _same_quotes(ours) == format_html('<a href="{}">{}</a>', *args)
    assert (
        html_join("", "<td>{}</td>", [("<1>",), (safe,)])
        == "<td>&lt;1&gt;</td><td><b>已办结</b></td>"
    )


class _Filters(forms.Form):
    colour = forms.ChoiceField(
        choices=[("", "全部"), ("red", "红色"), ("o&<", "橙 <色>")], required=False
    )
    many = forms.MultipleChoiceField(choices=[("a", "A")], required=False)
    words = forms.CharField(required=False)


def test_lean_select_draws_the_markup_django_draws():
    for data in [{}, {"colour": "red"}, {"colour": "o&<"}]:
        django_form, lean_form = _Filters(data), _Filters(data)
        style_filter_fields(lean_form)
        for form in (django_form, lean_form):
            form.fields["colour"].widget.attrs["class"] = "form-select form-select-sm"
        assert isinstance(lean_form.fields["colour"].widget, LeanSelect)
        ours, theirs = str(lean_form["colour"]), str(django_form["colour"])
        assert ours.split() == theirs.split()  # the same tags and attributes; spacing aside
    # Only plain selects change; a multiple select and a text box keep Django's widgets.
    assert type(lean_form.fields["many"].widget) is forms.SelectMultiple
    assert lean_form.fields["words"].widget.attrs["class"] == "form-control form-control-sm"


def test_lean_select_refuses_option_groups():
    widget = LeanSelect(choices=[("组", [("a", "A")])])
    with pytest.raises(ValueError, match="flat choices"):
        widget.render("g", None)
