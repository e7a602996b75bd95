"""Thin views: check, parse, one selector or service call, render. One module per area:
dashboards, ratings (the owner's side), campaigns and results of the reverse evaluation, and the
public pages of the signed links."""
