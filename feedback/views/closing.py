"""The closing page (R24 月结) at /feedback/months/: the party-building department closes the
months that ended, in order, and reopens the latest closed month with a reason. Everyone else
gets 404."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from feedback import permissions
from feedback.forms.closing import MonthCloseForm, MonthReopenForm
from feedback.selectors.closing import months_page
from feedback.services.closing import month_reopen, months_close

TEMPLATE = "feedback/months.html"


def _page(request, *, close_form=None, reopen_form=None, status=HTTPStatus.OK):
    page = months_page()
    context = {
        "page": page,
        "close_form": close_form or MonthCloseForm(months=page.closable),
        "reopen_form": reopen_form or MonthReopenForm(),
    }
    return render(request, TEMPLATE, context, status=status)


def _check(request) -> None:
    if not permissions.closes_months(request.user):
        raise Http404


def _refusal(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@require_safe
@login_required
def months(request):
    _check(request)
    return _page(request)


@require_POST
@login_required
def months_close_view(request):
    _check(request)
    form = MonthCloseForm(request.POST, months=months_page().closable)
    if form.is_valid():
        try:
            rows = months_close(month=form.cleaned_data["month"], actor=request.user)
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(
                request,
                _("Closed %(months)s.")
                % {"months": ", ".join(f"{row.month:%Y-%m}" for row in rows)},
            )
            return redirect("feedback:months")
    return _page(request, close_form=form, status=HTTPStatus.BAD_REQUEST)


@require_POST
@login_required
def month_reopen_view(request):
    _check(request)
    form = MonthReopenForm(request.POST)
    if form.is_valid():
        try:
            row = month_reopen(actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Reopened %(month)s.") % {"month": f"{row.month:%Y-%m}"})
            return redirect("feedback:months")
    return _page(request, reopen_form=form, status=HTTPStatus.BAD_REQUEST)
