"""Parse and check list parameters: only listed filters and sortable columns are accepted."""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage
from django.http import QueryDict
from django.utils.translation import gettext as _
from django_filters import FilterSet
from django_tables2 import RequestConfig, Table

SORT_PARAM = "sort"
PAGE_PARAM = "page"
PER_PAGE = 25


def sortable_fields(table_class: type[Table]) -> set[str]:
    return {
        name for name, column in table_class.base_columns.items() if column.orderable is not False
    }


PAGE_PATTERN = re.compile(r"[1-9][0-9]{0,8}")


def build_table(request, filterset: FilterSet, table_class: type[Table], **table_kwargs) -> Table:
    """Validate the query string, then return the filtered table, sorted and paginated.

    Unknown parameters, invalid filter values and unsortable columns raise BadRequest (400)
    with a message the user can act on.
    """
    params: QueryDict = request.GET
    refuse_unknown(params, set(filterset.filters) | {SORT_PARAM, PAGE_PARAM})
    sort = params.get(SORT_PARAM, "")
    if sort and sort.lstrip("-") not in sortable_fields(table_class):
        raise BadRequest(_("This list cannot be sorted by “%(field)s”.") % {"field": sort})
    if not filterset.is_valid():
        messages = [
            f"{filterset.filters[name].label}: {' '.join(errors)}"
            for name, errors in filterset.errors.items()
        ]
        raise BadRequest(_("Check the filters: %(errors)s") % {"errors": "; ".join(messages)})
    page_number(params)
    table = table_class(
        filterset.qs, order_by_field=SORT_PARAM, page_field=PAGE_PARAM, **table_kwargs
    )
    try:  # not silent: a page past the last is refused, not replaced by the last one
        RequestConfig(request, paginate={"per_page": PER_PAGE, "silent": False}).configure(table)
    except InvalidPage as error:
        raise page_out_of_range() from error
    return table


def page_out_of_range() -> BadRequest:
    return BadRequest(_("This page does not exist: the list has fewer pages."))


def refuse_unknown(params: QueryDict, allowed: set[str] | frozenset[str]) -> None:
    """Raise BadRequest (400) when the query string holds a parameter not in `allowed`."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise BadRequest(_("Unknown filter: %(names)s") % {"names": ", ".join(unknown)})


def page_number(params: QueryDict) -> int:
    """The page asked for (1 when none), or BadRequest when it is not a positive number."""
    page = params.get(PAGE_PARAM, "1")
    if not PAGE_PATTERN.fullmatch(page):
        raise BadRequest(_("Page must be a positive number."))
    return int(page)
