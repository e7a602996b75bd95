"""Results and the assessment table (mounted at /feedback/evaluations/, after the campaign
pages; names prefixed "results" and "assessment")."""

from django.urls import path

from feedback.views import evaluations_results as views

urlpatterns = [
    path("results/", views.results_list, name="results_list"),
    path("<int:pk>/results/", views.results_page, name="results"),
    path("<int:pk>/assessment/", views.assessment_page, name="assessment"),
    path("<int:pk>/assessment/compute/", views.assessment_compute, name="assessment_compute"),
    path("<int:pk>/assessment/export.xlsx", views.assessment_export, name="assessment_export"),
]
