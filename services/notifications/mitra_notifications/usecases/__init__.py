"""Notifications' use cases: each change in one unit of work (the consumer's transaction for consumed events)."""
