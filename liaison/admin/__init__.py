"""Django admin for the org tree, units, people, accounts, pairings, entries, the calendar and
the taxonomies, one module each.

Nothing here is hard-deleted: rows are deactivated (or a pairing ended) instead, and each save
writes an audit event, with the before and after of every changed field, in the admin's
transaction (audited.AuditedAdmin). The org tree is changed only through its service, which
keeps the tree's rules.
"""

from liaison.admin import accounts, calendar, ledger, orgs, taxonomies

__all__ = ["accounts", "calendar", "ledger", "orgs", "taxonomies"]
