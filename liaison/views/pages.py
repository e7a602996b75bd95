from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from liaison import permissions, selectors
from liaison.listing import build_table
from liaison.selectors.audit import administrator_home
from liaison.selectors.search import search
from liaison.selectors.work import nav_counts, work_page
from liaison.tables import PairingTable, PersonTable


def wants_fragment(request) -> bool:
    """An htmx swap gets the results fragment; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
@login_required
def home(request):
    """What the user must do now (their work queues), then their scope in figures; for the
    security and audit administrators, who read no ledger, their own work (三员分立)."""
    if not permissions.reads_ledger(request.user):
        context = administrator_home(user=request.user)
        return render(request, "liaison/home_administrator.html", context)
    work = work_page(user=request.user)
    scope = selectors.home_scope(user=request.user)
    return render(request, "liaison/home.html", {"scope": scope, "work": work})


@require_safe
@login_required
@vary_on_headers("HX-Request")
def home_figures(request):
    """The home page's second part: the user's scope in figures, their pairings, their
    department, the special-needs employees and the pairings running. The home page answers
    with the work first and fetches this once it has loaded (htmx); without script its link
    opens it as a page of its own. The security and audit administrators read no ledger."""
    if not permissions.reads_ledger(request.user):
        raise Http404
    summary = selectors.home_summary(user=request.user)
    template = "liaison/home_figures.html"
    template += "#figures" if wants_fragment(request) else ""
    return render(request, template, {"summary": summary})


@require_safe
@login_required
def org_tree(request):
    rows = selectors.org_tree(user=request.user)
    return render(request, "liaison/org_tree.html", {"rows": rows})


@require_safe
@login_required
def org_detail(request, pk: int):
    node = permissions.get_org_for(request.user, pk)
    detail = selectors.org_detail(user=request.user, node=node)
    people = selectors.person_list(user=request.user, filters=request.GET, within=node)
    table = build_table(request, people, PersonTable)
    return render(request, "liaison/org_detail.html", {"node": node, "table": table, **detail})


@require_safe
@login_required
@vary_on_headers("HX-Request")
def person_list(request):
    filterset = selectors.person_list(user=request.user, filters=request.GET)
    table = build_table(request, filterset, PersonTable)
    template = "liaison/person_list.html"
    template += "#results" if wants_fragment(request) else ""
    return render(request, template, {"filter": filterset, "table": table})


@require_safe
@login_required
def person_detail(request, pk: int):
    person = permissions.get_person_for(request.user, pk)
    file = selectors.person_file(user=request.user, person=person)
    return render(request, "liaison/person_detail.html", {"person": person, **file})


@require_safe
@login_required
def nav_badges(request):
    """The menu's counts, fetched by the page once it has loaded (htmx swaps each badge into
    its menu item), so that no page waits for them."""
    counts = nav_counts(user=request.user)
    response = render(request, "components/nav_badges.html", {"counts": counts})
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def unit_detail(request, pk: int):
    unit = permissions.get_unit_for(request.user, pk)
    file = selectors.unit_file(user=request.user, unit=unit)
    return render(request, "liaison/unit_detail.html", {"unit": unit, **file})


@require_safe
@login_required
@vary_on_headers("HX-Request")
def pairing_list(request):
    filterset = selectors.pairing_list(user=request.user, filters=request.GET)
    visibility = permissions.Visibility.of(request.user)
    table = build_table(request, filterset, PairingTable, visibility=visibility)
    stats = selectors.pairing_statistics(pairings=filterset.qs)
    template = "liaison/pairing_list.html"
    template += "#results" if wants_fragment(request) else ""
    return render(request, template, {"filter": filterset, "table": table, "stats": stats})


@require_safe
@login_required
def site_search(request):
    """The top bar's search: a whole entry number opens the entry, anything else lists what
    matches within the user's scope."""
    results = search(user=request.user, text=request.GET.get("q", ""))
    if results.exact_entry is not None:
        return redirect(results.exact_entry)
    return render(request, "liaison/search.html", {"results": results})
