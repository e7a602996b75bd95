"""The party-building department's pages of a campaign (mounted at /feedback/evaluations/,
namespace "feedback:evaluations")."""

from django.urls import path

from feedback.views import evaluations_campaigns as views

urlpatterns: list = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/weights/", views.campaign_weights, name="campaign_weights"),
    path("<int:pk>/propose/", views.campaign_propose, name="campaign_propose"),
    path("<int:pk>/pairs/add/", views.campaign_pair_add, name="campaign_pair_add"),
    path(
        "<int:pk>/pairs/<int:pair_pk>/remove/",
        views.campaign_pair_remove,
        name="campaign_pair_remove",
    ),
    path("<int:pk>/open/", views.campaign_open, name="campaign_open"),
    path("<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/progress/", views.campaign_progress, name="campaign_progress"),
    path("<int:pk>/sheet/<int:org_pk>/", views.campaign_sheet, name="campaign_sheet"),
]
