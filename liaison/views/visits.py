"""Logging a visit with its entries (R14, R2–R7), the visit page, and the helpers the form calls
while it is typed: another entry row, people search, similar earlier entries (R11)."""

from functools import wraps
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from liaison import permissions
from liaison.forms.attachments import AttachmentForm
from liaison.forms.visits import VisitLogForm, logged_message, new_row, similar_query
from liaison.selectors import visits as selectors
from liaison.selectors.similar import similar_entries
from liaison.services.attachments import visit_log_attached
from liaison.services.visits import VisitRejected
from liaison.views.attachments import visit_attachment_card

FORM_TEMPLATE = "liaison/visit_form.html"


def recorders_only(view):
    """Log in first; then a user who keeps no ledger (a department handler) gets a 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can_log_visit(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@recorders_only
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def visit_create(request):
    posted = request.method == "POST"
    form = VisitLogForm(request.POST if posted else None, user=request.user,
                        org_hint=request.GET.get("org"))  # fmt: skip
    files = AttachmentForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and "add_row" in request.POST:
        form = form.with_extra_row()
    elif posted and form.is_valid() & files.is_valid():
        try:
            logged = visit_log_attached(actor=request.user, files=files.uploads(),
                                        caption=files.cleaned_data["caption"],
                                        **form.service_kwargs())  # fmt: skip
        except VisitRejected as error:
            files.add_error("files", error.visit_errors.pop("files", []))
            form.reject(error)
        else:
            messages.success(request, logged_message(logged))
            return redirect("liaison:visit_detail", pk=logged.visit.pk)
    if request.htmx and not posted:  # the ledger changed: offer its party members as visitors
        return render(request, FORM_TEMPLATE + "#visitors", {"form": form})
    rejected = posted and "add_row" not in request.POST
    status = HTTPStatus.BAD_REQUEST if rejected else HTTPStatus.OK
    context = {"form": form, "files": files}
    return render(request, FORM_TEMPLATE, context, status=status)


@recorders_only
@require_safe
def visit_entry_row(request):
    try:
        row = new_row(request.GET, user=request.user)
    except ValidationError as error:
        raise BadRequest(error.messages[0]) from error
    return render(request, FORM_TEMPLATE + "#entry_row", {"row": row, "total_forms": row.number})


def visit_page(request, visit, *, status: int = HTTPStatus.OK, forms: dict | None = None):
    """Render the visit page; `forms` holds a refused attachment form to show again."""
    view = selectors.visit_view(user=request.user, visit=visit)
    card = visit_attachment_card(user=request.user, visit=visit, forms=forms)
    context = {"visit": visit, "view": view, "card": card}
    return render(request, "liaison/visit_detail.html", context, status=status)


@require_safe
@login_required
def visit_detail(request, pk: int):
    return visit_page(request, permissions.get_visit_for(request.user, pk))


@recorders_only
@require_safe
def person_search(request):
    text = request.GET.get("q") or request.GET.get(request.GET.get("field", ""), "")
    people = selectors.person_search(user=request.user, text=text[:100])
    return render(request, FORM_TEMPLATE + "#people_options", {"people": people})


@recorders_only
@require_safe
def entry_similar(request):
    query = similar_query(request.GET, user=request.user)
    if query is None:
        raise BadRequest(_("Say which entry row to compare."))
    matches = similar_entries(user=request.user, **query)
    context = {"matches": matches, "row_prefix": request.GET["row"]}
    return render(request, FORM_TEMPLATE + "#similar", context)
