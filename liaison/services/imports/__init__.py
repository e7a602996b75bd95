"""Excel import of the org tree, units, people and pairings (parse, check, apply)."""

from liaison.services.imports.jobs import (
    import_job_apply,
    import_job_requeue,
    import_job_run,
    import_job_submit,
)
from liaison.services.imports.workbook import XLSX_CONTENT_TYPE, estimate_rows, template_bytes

__all__ = [
    "XLSX_CONTENT_TYPE",
    "estimate_rows",
    "import_job_apply",
    "import_job_requeue",
    "import_job_run",
    "import_job_submit",
    "template_bytes",
]
