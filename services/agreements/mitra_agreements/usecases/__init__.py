"""Agreements' use cases, one module per aggregate: each change reads what it needs, asks the domain once, writes
once, publishes its events and records its audit entries (`tx.audit`: who, what on which object, the values
before and after, read through `views.values`), all in one `uow.change(ctx)`; each query reads through `uow.read()`.

They read registry's facts from agreements' own copies (`registry_facts`), never from registry, so they work while
registry is down.
"""
