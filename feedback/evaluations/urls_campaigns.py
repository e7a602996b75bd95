"""The party-building department's pages of a campaign (mounted at /feedback/evaluations/)."""

urlpatterns: list = []
