"""Reporting's use cases: the questions its read model answers, stories from draft to published, the rebuild."""

SERVICE = "reporting"
"""The service's name: the prefix of its files' keys in the document store."""
