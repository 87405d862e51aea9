"""Reporting runs no scheduler yet: its read model changes only when an event arrives."""
