from django.urls import include, path

from feedback import views
from feedback.evaluations import urls_campaigns, urls_results

app_name = "feedback"

urlpatterns = [
    # The reverse evaluation: the campaign pages and the results share one prefix.
    path(
        "evaluations/",
        include((urls_campaigns.urlpatterns + urls_results.urlpatterns, "evaluations")),
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("entries/<int:pk>/rating/", views.rating_record, name="rating_record"),
    path("entries/<int:pk>/reply-slip/", views.reply_slip, name="reply_slip"),
    path(
        "entries/<int:pk>/rating-link/reissue/",
        views.rating_link_reissue,
        name="rating_link_reissue",
    ),
]

# The informant's pages (no login), mounted at /r/ under the namespace "rate": a short path,
# for an SMS and a small QR code.
public_urlpatterns = [
    path("<str:token>/", views.rating_link_page, name="link"),
    path("<str:token>/thanks/", views.rating_link_thanks, name="thanks"),
]
