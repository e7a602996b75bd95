"""Every write of the feedback app: keyword-only, one transaction, an event or audit row each;
one module per area."""
