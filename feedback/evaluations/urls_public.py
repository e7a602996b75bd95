"""The rater's pages, no login (mounted at /e/ under the namespace "evaluate"): a short path,
for an SMS and a small QR code."""

from django.urls import path

from feedback.views.evaluations_public import evaluation_form, evaluation_thanks

app_name = "evaluate"

urlpatterns = [
    path("<str:token>/", evaluation_form, name="form"),
    path("<str:token>/thanks/", evaluation_thanks, name="thanks"),
]
