"""The console's use cases: each change of an account, a client or a key in one unit of work."""
