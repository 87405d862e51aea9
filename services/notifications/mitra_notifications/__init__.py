"""Mitra notifications service."""
