"""`LeanTransport`: the transport of the pages' JSON calls to the services (`ApiClient.get`, `send`), an httpx
transport over plain asyncio connections kept alive.

httpx's own transport (httpcore over anyio) cost the console about a millisecond of CPU per call, most of it in
handing out pooled connections (each hand-out looks at every connection of the pool, through anyio's attributes);
a page makes five to nine calls. This one does what those calls need and no more: a request whose body is in
memory, HTTP/1.1, a response read whole (Content-Length, chunked, or up to the connection's end), connections
reused while fresh. Files (uploads, downloads, the relayed requests) keep httpx's transport, which streams.
"""

from __future__ import annotations

import asyncio
import time

import httpx

IDLE_SECONDS = 3.0
"""A connection idle longer is closed rather than reused: uvicorn closes its side after 5 s idle, and a request
written just as the server closes would be lost."""
DEFAULT_TIMEOUT_SECONDS = 15.0
MAX_HEADER_LINES = 200
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()

    @property
    def fresh(self) -> bool:
        return (
            not self.writer.is_closing()
            and not self.reader.at_eof()
            and time.monotonic() - self.idle_since < IDLE_SECONDS
        )

    def close(self) -> None:
        self.writer.close()


class _NothingReceived(Exception):
    """The server closed the connection before any byte of an answer (a reused connection it had just closed)."""


class LeanTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 to one service, at most `limit` requests at once, over connections kept alive."""

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._idle: list[_Connection] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout") or {}
        seconds = timeouts.get("read") or DEFAULT_TIMEOUT_SECONDS
        message = _message(request)
        try:
            return await asyncio.wait_for(self._in_turn(request, message), seconds)
        except TimeoutError as error:
            raise httpx.ReadTimeout(f"no answer within {seconds} s", request=request) from error

    async def _in_turn(self, request: httpx.Request, message: bytes) -> httpx.Response:
        async with self._slots:
            return await self._exchange(request, message)

    async def _exchange(self, request: httpx.Request, message: bytes) -> httpx.Response:
        connection, reused = await self._connection(request)
        try:
            status, headers, body, keep_alive = await _answer(connection, message, request.method)
        except _NothingReceived:
            connection.close()
            if not reused or request.method not in SAFE_METHODS:
                raise httpx.RemoteProtocolError("the server closed without answering", request=request) from None
            # most likely the server had closed this idle connection as the request went out; a reading is asked
            # again (a change is not: the server may have made it before it closed)
            connection, _ = await self._connection(request, reuse=False)
            try:
                status, headers, body, keep_alive = await _answer(connection, message, request.method)
            except BaseException:
                connection.close()
                raise
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            connection.close()
            raise httpx.ReadError(f"{type(error).__name__}: {error}", request=request) from error
        except BaseException:
            connection.close()
            raise
        if keep_alive:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        return httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(body), extensions={"http_version": b"HTTP/1.1"}
        )

    async def _connection(self, request: httpx.Request, *, reuse: bool = True) -> tuple[_Connection, bool]:
        while reuse and self._idle:
            connection = self._idle.pop()
            if connection.fresh:
                return connection, True
            connection.close()
        url = request.url
        try:
            reader, writer = await asyncio.open_connection(url.host, url.port or 80)
        except OSError as error:
            raise httpx.ConnectError(f"{type(error).__name__}: {error}", request=request) from error
        return _Connection(reader, writer), False

    async def aclose(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()


def _message(request: httpx.Request) -> bytes:
    """The request as it goes on the wire (httpx has set Host and, for a body, its Content-Length)."""
    lines = [request.method.encode() + b" " + request.url.raw_path + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in request.headers.raw]
    return b"\r\n".join(lines) + b"\r\n\r\n" + request.content


async def _answer(
    connection: _Connection, message: bytes, method: str
) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
    """Status, headers, body, and whether the connection may be reused."""
    connection.writer.write(message)
    await connection.writer.drain()
    reader = connection.reader
    status_line = await reader.readline()
    if not status_line:
        raise _NothingReceived()
    version, status_text = status_line.split(b" ", 2)[:2]
    status = int(status_text)
    headers: list[tuple[bytes, bytes]] = []
    length: int | None = None
    chunked = False
    keep_alive = version == b"HTTP/1.1"
    for _ in range(MAX_HEADER_LINES):
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name, value = name.strip(), value.strip()
        headers.append((name, value))
        lowered = name.lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif lowered == b"connection":
            keep_alive = value.lower() != b"close"
    else:
        raise ValueError("too many header lines")
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        body = b""
    elif chunked:
        body = await _chunks(reader)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body, keep_alive = await reader.read(), False
    return status, headers, body, keep_alive


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):  # trailers, if any
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
