"""Reporting's use cases: the questions its read model answers, stories from draft to published, the rebuild."""
