"""Where the files are kept: a local directory or an S3 bucket, behind one small interface.

Keys are paths like `registry/documents/<uuid>`: always prefixed by the owning service's name, so that services may
share one bucket or directory and each sweeps only its own prefix. A stored object is never changed in place: a
document is written once (before any row names it) and deleted when nothing names it any more.
"""

from __future__ import annotations

import asyncio
import builtins
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import structlog

if TYPE_CHECKING:
    from mitra_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)
COPY_CHUNK = 1024 * 1024


class StoredObjectMissing(Exception):
    """The store holds no object under that key."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: datetime


class DocumentStore(Protocol):
    name: str
    """`local` or `s3`."""

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None: ...

    async def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def read_chunks(self, key: str, chunk_size: int = 65536) -> AsyncIterator[bytes]:
        """The object's bytes; raises `StoredObjectMissing` (when iterated) if there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Delete the object; one that is not there is fine."""
        ...

    def list(self, prefix: str) -> AsyncIterator[StoredObject]: ...

    async def check(self) -> str | None:
        """None if the store is usable (it makes its directory or bucket if missing), else what is wrong. Run once
        at start; it may take a while (making the bucket)."""
        ...

    async def probe(self) -> str | None:
        """Readiness: None if the store answers (it makes nothing; cheap), else what is wrong."""
        ...

    async def close(self) -> None:
        """Release what the store holds (threads); called once when the service stops."""
        ...


def _checked_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalDirectoryStore:
    """Objects as files under `root` (one machine, or a shared volume). Writes are atomic: a temporary file in the
    same directory, flushed to disk, then renamed over the key's path."""

    name = "local"
    _TEMPORARY_PREFIX = ".partial-"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalDirectoryStore({str(self.root)!r})"

    def path_of(self, key: str) -> Path:
        """Where the object of `key` is (tests change files behind the store's back through it)."""
        return self.root.joinpath(*_checked_key(key).split("/"))

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        target = self.path_of(key)
        await asyncio.to_thread(self._write, target, lambda out: _copy(path, out))

    async def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        target = self.path_of(key)
        await asyncio.to_thread(self._write, target, lambda out: out.write(data))

    def _write(self, target: Path, fill: Any) -> None:
        for attempt in range(3):
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=self._TEMPORARY_PREFIX)
            except FileNotFoundError:  # a concurrent delete removed the emptied directory: make it again
                if attempt == 2:
                    raise
                continue
            break
        try:
            with os.fdopen(handle, "wb") as out:
                fill(out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o640)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    async def read_chunks(self, key: str, chunk_size: int = 65536) -> AsyncIterator[bytes]:
        path = self.path_of(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as error:
            raise StoredObjectMissing(key) from error
        try:
            while chunk := await asyncio.to_thread(file.read, chunk_size):
                yield chunk
        finally:
            file.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, self.path_of(key))

    def _delete(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        # Empty directories (an upload's, once its chunks are gone) are removed up to the service's folder.
        parent = path.parent
        while parent != self.root and parent.is_relative_to(self.root) and len(parent.relative_to(self.root).parts) > 2:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    async def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        found = await asyncio.to_thread(self._list, prefix)
        for stored in found:
            yield stored

    def _list(self, prefix: str) -> builtins.list[StoredObject]:
        directory_part = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.path_of(directory_part) if directory_part else self.root
        found: builtins.list[StoredObject] = []
        for folder, _, files in os.walk(start):
            for filename in files:
                if filename.startswith(self._TEMPORARY_PREFIX):
                    continue
                path = Path(folder) / filename
                key = path.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                found.append(StoredObject(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
        found.sort(key=lambda stored: stored.key)
        return found

    async def check(self) -> str | None:
        return await asyncio.to_thread(self._check)

    async def probe(self) -> str | None:
        return await asyncio.to_thread(self._probe)

    def _probe(self) -> str | None:
        if not self.root.is_dir():
            return f"the documents directory {self.root} is missing"
        if not os.access(self.root, os.W_OK | os.X_OK):
            return f"the documents directory {self.root} is not writable"
        return None

    async def close(self) -> None:
        return None

    def _check(self) -> str | None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return f"cannot make the documents directory {self.root}: {error.strerror}"
        if not os.access(self.root, os.W_OK | os.X_OK):
            return f"the documents directory {self.root} is not writable"
        return None


def _copy(source: Path, out: Any) -> None:
    with source.open("rb") as file:
        while chunk := file.read(COPY_CHUNK):
            out.write(chunk)


S3_CONNECTIONS = 16
"""Connections of an S3 store's client, and threads of its own pool (each blocking call holds one of each)."""
S3_CONNECT_TIMEOUT = 3.0
S3_READ_TIMEOUT = 30.0
S3_MAX_ATTEMPTS = 2
"""Attempts of one call (botocore's `max_attempts` counts the first): a blackholed endpoint costs at most about
2 x 3 s to connect, not minutes."""


class S3Store:
    """Objects in one S3 bucket (AWS, MinIO, Ceph; path-style addressing). boto3 blocks, so each call runs in a
    thread of the store's OWN pool (`S3_CONNECTIONS` threads, as many as the client's connections): a slow or
    unreachable S3 fills that pool, never asyncio's default one that the rest of the service (and the local store)
    uses. Its client is thread-safe. The secret is never logged nor shown in `repr`."""

    name = "s3"

    def __init__(
        self,
        endpoint_url: str | None,
        bucket: str,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.endpoint_url = endpoint_url
        self.bucket = bucket
        self.region = region
        self.config = Config(
            s3={"addressing_style": "path"},
            retries={"max_attempts": S3_MAX_ATTEMPTS, "mode": "standard"},
            connect_timeout=S3_CONNECT_TIMEOUT,
            read_timeout=S3_READ_TIMEOUT,
            max_pool_connections=S3_CONNECTIONS,
        )
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=self.config,
        )
        self._executor = ThreadPoolExecutor(max_workers=S3_CONNECTIONS, thread_name_prefix="mitra-s3")

    def __repr__(self) -> str:
        return f"S3Store(endpoint_url={self.endpoint_url!r}, bucket={self.bucket!r}, region={self.region!r})"

    async def _run(self, call: Callable[..., Any], *arguments: Any, **keywords: Any) -> Any:
        """`call` in a thread of the store's pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: call(*arguments, **keywords))

    async def close(self) -> None:
        """The pool's threads end once the calls in hand are done (not awaited: a blackholed call may take its
        timeouts); the client's connections close."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        _checked_key(key)

        def upload() -> None:
            with path.open("rb") as body:
                self._client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

        await self._run(upload)

    async def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        _checked_key(key)
        await self._run(self._client.put_object, Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    async def read_chunks(self, key: str, chunk_size: int = 65536) -> AsyncIterator[bytes]:
        _checked_key(key)
        try:
            answer = await self._run(self._client.get_object, Bucket=self.bucket, Key=key)
        except Exception as error:
            if _error_code(error) in ("NoSuchKey", "404", "NotFound"):
                raise StoredObjectMissing(key) from error
            raise
        body = answer["Body"]
        try:
            while chunk := await self._run(body.read, chunk_size):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        _checked_key(key)
        await self._run(self._client.delete_object, Bucket=self.bucket, Key=key)

    async def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        token: str | None = None
        while True:
            arguments: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
            if token:
                arguments["ContinuationToken"] = token
            page = await self._run(self._client.list_objects_v2, **arguments)
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"], int(item["Size"]), item["LastModified"])
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    async def check(self) -> str | None:
        return await self._run(self._check, True)

    async def probe(self) -> str | None:
        return await self._run(self._check, False)

    def _check(self, create: bool) -> str | None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return None
        except Exception as error:
            code = _error_code(error)
            if not create or code not in ("404", "NoSuchBucket", "NotFound"):
                return f"S3 bucket {self.bucket}: {code or type(error).__name__}"
        try:
            arguments: dict[str, Any] = {"Bucket": self.bucket}
            if self.region and self.region != "us-east-1":
                arguments["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            self._client.create_bucket(**arguments)
            log.info("S3 bucket created", bucket=self.bucket)
        except Exception as error:
            code = _error_code(error)
            if code not in ("BucketAlreadyOwnedByYou",):
                return f"S3 bucket {self.bucket} is missing and could not be made: {code or type(error).__name__}"
        return None


def _error_code(error: BaseException) -> str | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def store_from_settings(settings: ServiceSettings) -> DocumentStore:
    """The store the settings name (`MITRA_DOCUMENTS_STORE`)."""
    if settings.documents_store == "s3":
        return S3Store(
            endpoint_url=settings.s3_endpoint_url,
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id.get_secret_value() if settings.s3_access_key_id else None,
            secret_access_key=(
                settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None
            ),
        )
    return LocalDirectoryStore(settings.documents_dir)
