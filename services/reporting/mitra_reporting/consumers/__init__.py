"""Reporting's event handlers: every event of registry and agreements it consumes goes into its log and projections."""
