"""Roll-ups (R7): what each entry adds to which cell (cells), and the jobs that keep the
roll-up tables current (services: rollups_refresh, rollups_rebuild)."""
