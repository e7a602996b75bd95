"""The public pages, no login (feedback.views.public), mounted at the site's root: short paths,
for an SMS and a small QR code.

- /r/<token>/: the informant's signed rating link, namespace "rate";
- /e/<token>/: a rater's link of the reverse evaluation, namespace "evaluate".
"""

from django.urls import include, path

from feedback.views import public

rate_urlpatterns = [
    path("<str:token>/", public.rating_link_page, name="link"),
    path("<str:token>/thanks/", public.rating_link_thanks, name="thanks"),
]

evaluate_urlpatterns = [
    path("<str:token>/", public.evaluation_form, name="form"),
    path("<str:token>/thanks/", public.evaluation_thanks, name="thanks"),
]

urlpatterns = [
    path("r/", include((rate_urlpatterns, "rate"))),
    path("e/", include((evaluate_urlpatterns, "evaluate"))),
]
