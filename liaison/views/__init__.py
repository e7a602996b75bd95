"""Thin views: check, parse, one selector or service call, render."""
