"""The monthly review (一月一审, R9): the sheets, the sign-off and the printable sheet."""

from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from liaison import permissions
from liaison.listing import refuse_unknown
from liaison.selectors import reviews as selectors
from liaison.services import reviews as services


class ReviewFilterForm(forms.Form):
    month = forms.DateField(label=gettext_lazy("Month"), input_formats=["%Y-%m"], required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[
            ("unsigned", gettext_lazy("Unsigned")),
            ("all", gettext_lazy("All")),
        ],
        required=False,
    )


class ReviewPrepareForm(forms.Form):
    org = forms.IntegerField(min_value=1)


class ReviewSignForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.COMMENT_MAX_LENGTH,
    )


@require_safe
@login_required
def review_list(request):
    if not permissions.reads_reviews(request.user):
        raise Http404
    form = ReviewFilterForm(request.GET)
    refuse_unknown(request.GET, set(form.fields))
    if not form.is_valid():
        return render(
            request, "liaison/review_list.html", {"form": form}, status=HTTPStatus.BAD_REQUEST
        )
    # The party-building department sees the unsigned ones unless it asks for all.
    default = "unsigned" if permissions.can_maintain_master_data(request.user) else "all"
    status = form.cleaned_data["status"] or default
    reviews = selectors.review_list(
        user=request.user, month=form.cleaned_data["month"], unsigned=status == "unsigned"
    )[:300]
    signable = {
        r.pk for r in reviews if not r.is_signed and permissions.can_sign_review(request.user, r)
    }
    last_month = selectors.previous_month()
    missing = selectors.review_branches_missing(user=request.user, month=last_month)
    context = {
        "form": form,
        "reviews": reviews,
        "status": status,
        "signable": signable,
        "last_month": last_month,
        "missing": missing,
    }
    return render(request, "liaison/review_list.html", context)


@require_POST
@login_required
def review_prepare(request):
    """Prepare last month's sheet of a branch that has none yet (the job of the 1st made none)."""
    form = ReviewPrepareForm(request.POST)
    pk = form.cleaned_data["org"] if form.is_valid() else None
    branch = permissions.get_review_branch_for(request.user, pk)
    review, created = services.monthly_review_prepare_branch(actor=request.user, branch=branch)
    if created:
        messages.success(request, _("Last month's review sheet is prepared."))
    else:
        messages.info(request, _("Last month's review sheet was already prepared."))
    return redirect(review)


@require_safe
@login_required
def review_detail(request, pk: int):
    review = permissions.get_review_for(request.user, pk)
    return _detail(request, review, ReviewSignForm())


def _detail(request, review, sign_form, status=HTTPStatus.OK):
    context = {
        "review": review,
        "rows": selectors.review_sheet(review=review),
        "can_sign": not review.is_signed and permissions.can_sign_review(request.user, review),
        "sign_form": sign_form,
    }
    return render(request, "liaison/review_detail.html", context, status=status)


@require_POST
@login_required
def review_sign(request, pk: int):
    review = permissions.get_review_for(request.user, pk)
    form = ReviewSignForm(request.POST)
    if not form.is_valid():
        return _detail(request, review, form, status=HTTPStatus.BAD_REQUEST)
    try:
        services.monthly_review_sign(
            actor=request.user, review=review, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _detail(request, review, form, status=HTTPStatus.BAD_REQUEST)
    messages.success(request, _("The monthly review is signed."))
    return redirect(review)


@require_safe
@login_required
def review_print(request, pk: int):
    """The sheet on A4, for the branch's paper file."""
    review = permissions.get_review_for(request.user, pk)
    context = {
        "review": review,
        "rows": selectors.review_sheet(review=review),
        "month_end": selectors.month_bounds(review.month)[1],
    }
    return render(request, "liaison/review_print.html", context)
