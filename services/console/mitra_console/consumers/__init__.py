"""Event handlers: the console consumes no events (issue 11); accounts and keys are its own data."""
