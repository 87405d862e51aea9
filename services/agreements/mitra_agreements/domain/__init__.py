"""Agreements' rules and state, free of I/O: one module per aggregate (MSPs, obligations, visits, recommendations),
the deadline engine's decisions, the calendar, and what agreements knows of registry's facts.

A rule that refuses raises one of `mitra_shared.errors`: `Conflict` (with the current state, HTTP 409) or
`RuleBroken` (an invalid request, 422), naming the field.
"""
