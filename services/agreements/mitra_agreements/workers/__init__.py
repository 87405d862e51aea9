"""Agreements' schedulers, on the shared `PollingWorker`: the deadline engine (`deadlines`)."""
