"""Schemathesis hooks of the fuzz runs (loaded through SCHEMATHESIS_HOOKS): a tus PATCH body is raw bytes, which
Schemathesis sends as it sends `application/octet-stream` once told so."""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
