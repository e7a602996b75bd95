"""The escalation ladder page (R22), for the party-building department; everyone else 404."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison.forms.escalation import EscalationFormSet, kept_steps, ladder_initial
from liaison.selectors.escalation import escalation_ladder
from liaison.services.escalation import escalation_ladder_save
from liaison.views.imports import maintainers_only


@maintainers_only
@require_http_methods(["GET", "HEAD", "POST"])
def escalation_ladder_page(request):
    ladder = escalation_ladder()
    if request.method != "POST":
        formset = EscalationFormSet(prefix="steps", initial=ladder_initial(ladder.steps))
        return render(request, "liaison/escalation.html", {"formset": formset, "ladder": ladder})
    formset = EscalationFormSet(request.POST, prefix="steps", initial=ladder_initial(ladder.steps))
    if formset.is_valid():
        try:
            escalation_ladder_save(actor=request.user, steps=kept_steps(formset))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(
                request, _("The escalation ladder is saved; the next sweep climbs it.")
            )
            return redirect("liaison:escalation")
    else:
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
    context = {"formset": formset, "ladder": ladder}
    return render(request, "liaison/escalation.html", context, status=HTTPStatus.BAD_REQUEST)
