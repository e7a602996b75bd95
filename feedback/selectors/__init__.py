"""Every read of the feedback app, scoped to the user: one module per area."""
