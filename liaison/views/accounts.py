"""The user's own account: changing their password (forced at first login and on expiry)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from liaison.passwords import ChangeReason
from liaison.services.passwords import password_set


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change page in the site's frame; the new password goes through the service."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = getattr(self.request, "password_change_reason", "")
        context["first_login"] = reason == ChangeReason.FIRST_LOGIN
        context["expired"] = reason == ChangeReason.EXPIRED
        context["max_age_days"] = settings.PASSWORD_MAX_AGE_DAYS
        return context

    def form_valid(self, form):
        user = password_set(
            user=form.user, raw_password=form.cleaned_data["new_password1"], actor=form.user
        )
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())
