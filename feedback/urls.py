from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("entries/<int:pk>/rating/", views.rating_record, name="rating_record"),
]
