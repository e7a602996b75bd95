"""Django admin of the feedback app: ratings are read, never edited or deleted here (a rating
is written by feedback.services.rating_record, which also moves the entry on)."""

from django.contrib import admin

from feedback.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("rated_at", "entry", "value", "round", "channel", "recorded_by")
    list_filter = ("value", "channel", "round")
    search_fields = ("entry__number", "entry__title", "comment")
    list_select_related = ("entry", "recorded_by")
    date_hierarchy = "rated_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
