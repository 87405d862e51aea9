"""Mitra console: the front door. Accounts, login, signed access tokens and OAuth 2.0 client credentials."""
