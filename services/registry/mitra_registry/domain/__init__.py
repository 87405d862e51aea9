"""The registry's rules and state, free of I/O: one module per aggregate (NGOs, foreign staff, partners, regions,
permits)."""
