"""HTTP API of the console: accounts, clients, the token endpoints and the published keys."""
