"""How far every list of every service can be paged. Pure: no I/O."""

MAX_OFFSET = 1_000_000_000
"""The largest `offset` a list accepts: a larger one is refused with 422 naming `query.offset`, never passed to the
database (where a number past its integer types answered 500)."""
