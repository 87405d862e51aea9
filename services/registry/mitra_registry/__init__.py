"""Mitra registry service."""
