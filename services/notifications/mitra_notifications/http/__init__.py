"""Notifications' HTTP API: thin routers that map requests onto the use cases."""

from mitra_notifications.http import delivery_log, inbox, me, recipients, routing_rules, subscriptions

ROUTERS = [recipients.router, delivery_log.router, routing_rules.router, inbox.router, subscriptions.router, me.router]
