from django.urls import path

from liaison.views import calendar, entries, imports, ledgers, pages, reviews, visits

app_name = "liaison"

urlpatterns = [
    path("org/", pages.org_tree, name="org_tree"),
    path("org/<int:pk>/", pages.org_detail, name="org_detail"),
    path("people/", pages.person_list, name="person_list"),
    path("people/<int:pk>/", pages.person_detail, name="person_detail"),
    path("people/search/", visits.person_search, name="person_search"),
    path("pairings/", pages.pairing_list, name="pairing_list"),
    path("visits/new/", visits.visit_create, name="visit_create"),
    path("visits/new/row/", visits.visit_entry_row, name="visit_entry_row"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("entries/similar/", visits.entry_similar, name="entry_similar"),
    path("entries/<int:pk>/", entries.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/actions/<slug:action>/", entries.entry_act, name="entry_act"),
    path("entries/<int:pk>/print/", entries.entry_print, name="entry_print"),
    path("entries/<int:pk>/referral/", entries.entry_referral, name="entry_referral"),
    path("ledger/", ledgers.ledger, {"scope": "branch"}, name="ledger_branch"),
    path(
        "ledger/export.xlsx",
        ledgers.ledger_export,
        {"scope": "branch"},
        name="ledger_branch_export",
    ),
    path("entries/mine/", ledgers.ledger, {"scope": "mine"}, name="ledger_mine"),
    path(
        "entries/mine/export.xlsx",
        ledgers.ledger_export,
        {"scope": "mine"},
        name="ledger_mine_export",
    ),
    path("entries/department/", ledgers.ledger, {"scope": "department"}, name="ledger_department"),
    path(
        "entries/department/export.xlsx",
        ledgers.ledger_export,
        {"scope": "department"},
        name="ledger_department_export",
    ),
    path("entries/", ledgers.ledger, {"scope": "all"}, name="ledger_all"),
    path(
        "entries/export.xlsx",
        ledgers.ledger_export,
        {"scope": "all"},
        name="ledger_all_export",
    ),
    path("calendar/", calendar.calendar_year, name="calendar"),
    path("calendar/day/", calendar.calendar_day_set, name="calendar_day_set"),
    path("calendar/day/clear/", calendar.calendar_day_clear, name="calendar_day_clear"),
    path("calendar/year/", calendar.calendar_year_load, name="calendar_year_load"),
    path(
        "calendar/year/statutory/",
        calendar.calendar_year_statutory,
        name="calendar_year_statutory",
    ),
    path("reviews/", reviews.review_list, name="review_list"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:pk>/sign/", reviews.review_sign, name="review_sign"),
    path("reviews/<int:pk>/print/", reviews.review_print, name="review_print"),
    path("imports/", imports.import_start, name="import_start"),
    path("imports/template.xlsx", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/apply/", imports.import_apply, name="import_apply"),
]
