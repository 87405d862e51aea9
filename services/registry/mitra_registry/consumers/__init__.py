"""Event handlers: the registry consumes no events yet."""
