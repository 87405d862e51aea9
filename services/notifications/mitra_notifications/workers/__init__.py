"""Notifications' schedulers, on the shared polling worker: delivery of e-mails and webhooks, the daily digest."""
