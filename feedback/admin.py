"""Django admin of the feedback app: ratings and rating links are read, never edited or deleted
here (a rating is written by feedback.services.ratings.rating_record, which also moves the
entry on; a link is made and revoked by feedback.services.rating_links). A link's token is never
shown: it is not stored."""

from django.contrib import admin

from feedback.models import Rating, RatingLink


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


@admin.register(RatingLink)
class RatingLinkAdmin(admin.ModelAdmin):
    list_display = ("created_at", "entry", "round", "created_by", "used_at", "revoked_at")
    list_filter = ("round",)
    search_fields = ("entry__number", "entry__title")
    list_select_related = ("entry", "created_by")
    date_hierarchy = "created_at"
    fields = (
        ("entry", "round"),
        ("created_at", "created_by"),
        ("used_at", "rating"),
        ("revoked_at", "revoked_by"),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
