"""Hot topics (热点诉求) and the matters of the month (每月一题), mounted at the site's root.

The URL names start with "hot_" (the menu item's active prefix)."""

from django.urls import path

from feedback.views import matters

urlpatterns = [
    path("hot-topics/", matters.hot_topics, name="hot_topics"),
    path("matters/", matters.matter_list, name="hot_matter_list"),
    path("matters/new/", matters.matter_create, name="hot_matter_create"),
    path("matters/<int:pk>/", matters.matter_detail, name="hot_matter_detail"),
    path("matters/<int:pk>/edit/", matters.matter_edit, name="hot_matter_edit"),
    path("matters/<int:pk>/entries/", matters.matter_entries_add, name="hot_matter_entries_add"),
    path(
        "matters/<int:pk>/entries/<int:entry_pk>/remove/",
        matters.matter_entry_remove,
        name="hot_matter_entry_remove",
    ),
    path("matters/<int:pk>/close/", matters.matter_close, name="hot_matter_close"),
]
