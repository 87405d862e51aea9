"""Notifications' rules and texts: routing, recipients, delivery decisions, message wording. Pure: no I/O."""
