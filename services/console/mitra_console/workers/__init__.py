"""The console's background work: signing-key rotation, on the shared `PollingWorker`."""
