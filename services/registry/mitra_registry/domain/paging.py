"""How far every list of the register can be paged (what PostgreSQL's LIMIT and OFFSET take, and more)."""

MAX_OFFSET = 1_000_000_000
"""The largest `offset` a list accepts: larger numbers are refused as invalid, not passed to the database."""
