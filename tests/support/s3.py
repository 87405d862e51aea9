"""An S3 API server of the test's own (moto's, in a thread of the test process), for the documents store on S3.

    with moto_s3_server() as s3:
        store = S3Store(s3.endpoint_url, s3.new_bucket(), s3.region, s3.access_key_id, s3.secret_access_key)
        ...   # or, for services started as processes: extra_env=s3.environment(bucket)

The server listens on a free 127.0.0.1 port and keeps its buckets in memory; it accepts any credentials (the
tests use "testing"/"testing"), and stops when the block ends. Each test takes a bucket of its own
(`new_bucket()`), so tests sharing a server see nothing of each other's; the store makes the bucket itself
(`check()`), as a service does at start.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mitra_devtools.launcher import free_port

ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key_id: str = ACCESS_KEY_ID
    secret_access_key: str = SECRET_ACCESS_KEY
    region: str = REGION

    def new_bucket(self, prefix: str = "mitra-test") -> str:
        """A bucket name no other test uses (not made yet: S3 names are 3-63 lower-case letters, digits, dashes)."""
        return f"{prefix}-{uuid.uuid4().hex[:16]}"

    def environment(self, bucket: str) -> dict[str, str]:
        """The `MITRA_*` variables that make a service keep its documents in `bucket` on this server."""
        return {
            "MITRA_DOCUMENTS_STORE": "s3",
            "MITRA_S3_ENDPOINT_URL": self.endpoint_url,
            "MITRA_S3_BUCKET": bucket,
            "MITRA_S3_REGION": self.region,
            "MITRA_S3_ACCESS_KEY_ID": self.access_key_id,
            "MITRA_S3_SECRET_ACCESS_KEY": self.secret_access_key,
        }


@contextmanager
def moto_s3_server() -> Iterator[S3Server]:
    """Run moto's server (`moto.server.ThreadedMotoServer`) on a free local port for the block."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        server.stop()
