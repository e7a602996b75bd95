"""Every read of the liaison app, scoped to the user: one module per area."""

from liaison.selectors.orgs import (
    HomeSummary,
    JobView,
    PairingStat,
    TreeRow,
    home_scope,
    home_summary,
    import_job_list,
    import_job_view,
    org_detail,
    org_tree,
    pairing_list,
    pairing_statistics,
    person_file,
    person_list,
    unit_file,
)

__all__ = [
    "HomeSummary",
    "JobView",
    "PairingStat",
    "TreeRow",
    "home_scope",
    "home_summary",
    "import_job_list",
    "import_job_view",
    "org_detail",
    "org_tree",
    "pairing_list",
    "pairing_statistics",
    "person_file",
    "person_list",
    "unit_file",
]
