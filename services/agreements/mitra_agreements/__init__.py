"""Mitra agreements service."""
