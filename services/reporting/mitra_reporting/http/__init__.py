"""Reporting's HTTP API: routers with their request and response models; each hands its request to a use case."""
