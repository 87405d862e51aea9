"""The registry's schedulers, each on the shared `PollingWorker`."""
