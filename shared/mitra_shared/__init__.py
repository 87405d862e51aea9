"""Mitra plumbing shared by every service: event envelope and wire contracts, outbox, inbox, topology."""
