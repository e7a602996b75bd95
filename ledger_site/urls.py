from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from feedback.views import return_visits
from liaison.forms.accounts import LoginForm
from liaison.views import accounts, pages, second_factor

admin.site.site_header = _("Liaison Ledger administration")
admin.site.site_title = _("Liaison Ledger")

urlpatterns = [
    path("", pages.home, name="home"),
    path("home/figures/", pages.home_figures, name="home_figures"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    # The administrators' second factor (ADMIN_2FA=1).
    path("accounts/second-factor/", second_factor.second_factor, name="second_factor"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own password change is the site's (stamped, kept in the history, audited).
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("", include("liaison.urls")),
    path("feedback/", include("feedback.urls")),
    # The return-visit queue (回访, R21): the secretary's and the party-building department's.
    path("return-visits/", return_visits.return_visit_list, name="return_visits"),
    path("return-visits/<int:pk>/", return_visits.return_visit_create, name="return_visit_create"),
    # Hot topics and the matters of the month (每月一题): /hot-topics/, /matters/
    path("", include("feedback.urls_hot")),
    # /r/: the informant's signed rating link; /e/: a rater's reverse evaluation
    path("", include("feedback.urls_public")),
]

handler400 = "liaison.views.errors.bad_request"
