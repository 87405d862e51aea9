"""How far notifications' lists (the delivery log, an inbox) can be paged."""

MAX_OFFSET = 1_000_000_000
"""The largest `offset` a list accepts: larger numbers are refused as invalid, not passed to the database."""
