"""Every write to the liaison app: keyword-only, one transaction, an event row each."""
