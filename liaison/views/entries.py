from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from liaison import permissions
from liaison.selectors.entries import entry_view


@require_safe
@login_required
def entry_detail(request, pk: int):
    entry = permissions.get_entry_for(request.user, pk)
    view = entry_view(user=request.user, entry=entry)
    return render(request, "liaison/entry_detail.html", {"entry": entry, "view": view})
