"""The rater's pages, no login (mounted at /e/ under the namespace "evaluate")."""

app_name = "evaluate"

urlpatterns: list = []
