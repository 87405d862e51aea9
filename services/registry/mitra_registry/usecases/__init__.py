"""The registry's use cases, one module per aggregate: commands in, events out, each change in one unit of work."""
