from django.urls import include, path

from feedback.evaluations import urls_campaigns, urls_results
from feedback.views import dashboards, ratings

app_name = "feedback"

urlpatterns = [
    # The reverse evaluation: the campaign pages and the results share one prefix.
    path(
        "evaluations/",
        include((urls_campaigns.urlpatterns + urls_results.urlpatterns, "evaluations")),
    ),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", dashboards.dashboard_export, name="dashboard_export"),
    path("entries/<int:pk>/rating/", ratings.rating_record, name="rating_record"),
    path("entries/<int:pk>/reply-slip/", ratings.reply_slip, name="reply_slip"),
    path(
        "entries/<int:pk>/rating-link/reissue/",
        ratings.rating_link_reissue,
        name="rating_link_reissue",
    ),
]
