"""Mitra reporting service."""
