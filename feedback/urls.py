"""The staff pages of the feedback app (mounted at /feedback/, namespace "feedback"). The public
pages of the signed links are in feedback.urls_public."""

from django.urls import include, path

from feedback.views import campaigns, closing, dashboards, ratings, results

app_name = "feedback"

# The reverse evaluation (namespace "feedback:evaluations"): the party-building department's
# pages of a campaign, then the results and the assessment table, under one prefix.
evaluation_urlpatterns = [
    path("", campaigns.campaign_list, name="campaign_list"),
    path("new/", campaigns.campaign_create, name="campaign_create"),
    path("<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<int:pk>/weights/", campaigns.campaign_weights, name="campaign_weights"),
    path("<int:pk>/propose/", campaigns.campaign_propose, name="campaign_propose"),
    path("<int:pk>/pairs/add/", campaigns.campaign_pair_add, name="campaign_pair_add"),
    path(
        "<int:pk>/pairs/<int:pair_pk>/remove/",
        campaigns.campaign_pair_remove,
        name="campaign_pair_remove",
    ),
    path("<int:pk>/open/", campaigns.campaign_open, name="campaign_open"),
    path("<int:pk>/close/", campaigns.campaign_close, name="campaign_close"),
    path("<int:pk>/progress/", campaigns.campaign_progress, name="campaign_progress"),
    path("<int:pk>/sheet/<int:org_pk>/", campaigns.campaign_sheet, name="campaign_sheet"),
    path("results/", results.results_list, name="results_list"),
    path("<int:pk>/results/", results.results_page, name="results"),
    path("<int:pk>/assessment/", results.assessment_page, name="assessment"),
    path("<int:pk>/assessment/compute/", results.assessment_compute, name="assessment_compute"),
    path("<int:pk>/assessment/export.xlsx", results.assessment_export, name="assessment_export"),
]

urlpatterns = [
    path("evaluations/", include((evaluation_urlpatterns, "evaluations"))),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("months/", closing.months, name="months"),
    path("months/close/", closing.months_close_view, name="months_close"),
    path("months/reopen/", closing.month_reopen_view, name="month_reopen"),
    path("dashboard/export.xlsx", dashboards.dashboard_export, name="dashboard_export"),
    path("entries/<int:pk>/rating/", ratings.rating_record, name="rating_record"),
    path("entries/<int:pk>/reply-slip/", ratings.reply_slip, name="reply_slip"),
    path(
        "entries/<int:pk>/rating-link/reissue/",
        ratings.rating_link_reissue,
        name="rating_link_reissue",
    ),
]
