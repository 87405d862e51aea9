"""The registry's HTTP API: one router per aggregate, with its request and response models."""
