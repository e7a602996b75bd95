from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from liaison import permissions, selectors
from liaison.listing import build_table
from liaison.tables import PairingTable, PersonTable


@login_required
def home(request):
    summary = selectors.home_summary(user=request.user)
    return render(request, "liaison/home.html", {"summary": summary})


@login_required
def org_tree(request):
    rows = selectors.org_tree(user=request.user)
    return render(request, "liaison/org_tree.html", {"rows": rows})


@login_required
def org_detail(request, pk: int):
    node = permissions.get_org_for(request.user, pk)
    detail = selectors.org_detail(user=request.user, node=node)
    people = selectors.person_list(user=request.user, filters={"org": str(node.pk)})
    table = build_table(request, people, PersonTable)
    return render(request, "liaison/org_detail.html", {"node": node, "table": table, **detail})


@login_required
def person_list(request):
    filterset = selectors.person_list(user=request.user, filters=request.GET)
    table = build_table(request, filterset, PersonTable)
    template = "liaison/person_list.html#results" if request.htmx else "liaison/person_list.html"
    return render(request, template, {"filter": filterset, "table": table})


@login_required
def person_detail(request, pk: int):
    person = permissions.get_person_for(request.user, pk)
    file = selectors.person_file(user=request.user, person=person)
    return render(request, "liaison/person_detail.html", {"person": person, **file})


@login_required
def pairing_list(request):
    filterset = selectors.pairing_list(user=request.user, filters=request.GET)
    table = build_table(request, filterset, PairingTable)
    stats = selectors.pairing_statistics(pairings=filterset.qs)
    template = "liaison/pairing_list.html#results" if request.htmx else "liaison/pairing_list.html"
    return render(request, template, {"filter": filterset, "table": table, "stats": stats})
