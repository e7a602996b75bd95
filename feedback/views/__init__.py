"""Pages of the feedback app: ratings and the informant's link (ratings), the dashboards."""

from feedback.views.dashboards import dashboard, dashboard_export
from feedback.views.ratings import (
    entry_ratings_panel,
    rating_link_page,
    rating_link_reissue,
    rating_link_thanks,
    rating_record,
    referral_sheet_stub,
    reply_slip,
)

__all__ = [
    "dashboard",
    "dashboard_export",
    "entry_ratings_panel",
    "rating_link_page",
    "rating_link_reissue",
    "rating_link_thanks",
    "rating_record",
    "referral_sheet_stub",
    "reply_slip",
]
