"""Results and the assessment table (mounted at /feedback/evaluations/, after the campaign
pages)."""

urlpatterns: list = []
