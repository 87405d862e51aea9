"""Agreements' use cases, one module per aggregate: each change reads what it needs, asks the domain once, writes
once and publishes its events, all in one `uow.change(ctx)`; each query reads through `uow.read()`.

They read registry's facts from agreements' own copies (`registry_facts`), never from registry, so they work while
registry is down.
"""
