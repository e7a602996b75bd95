"""Roll-up tables (R7): counts by month, org node and level, kept by jobs; dashboards read them."""

__all__: list[str] = []
