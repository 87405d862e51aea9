"""A minimal HTTP/1.1 keep-alive client for the load generator.

httpx costs about a millisecond of CPU per request; on a 2-core machine that shares its cores with the system
under test, that would be the load generator measuring itself. This client does only what the benchmark needs:
JSON (or form) requests on reused connections, responses with a Content-Length (uvicorn sends one for every JSON
answer and every page the console renders), the cookies a response sets.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit


class HttpError(Exception):
    pass


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)  # names in lower case

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode()
        return next((value.decode() for key, value in self.headers if key == wanted), None)

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies the response sets (name and value only)."""
        found = {}
        for key, value in self.headers:
            if key == b"set-cookie":
                name, _, rest = value.decode().partition("=")
                found[name.strip()] = rest.split(";", 1)[0].strip().strip('"')
        return found


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def exchange(self, request: bytes) -> Response:
        self.writer.write(request)
        status_line = await self.reader.readline()
        if not status_line:
            raise HttpError("connection closed by the server")
        status = int(status_line.split(b" ", 2)[1])
        length: int | None = None
        keep_alive = True
        headers = []
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            headers.append((lowered, value.strip()))
            if lowered == b"content-length":
                length = int(value.strip())
            elif lowered == b"connection" and value.strip().lower() == b"close":
                keep_alive = False
            elif lowered == b"transfer-encoding":
                raise HttpError("chunked responses are not supported by the benchmark client")
        body = await self.reader.readexactly(length) if length else b""
        if not keep_alive:
            self.close()
        return Response(status, body, headers)

    @property
    def usable(self) -> bool:
        return not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        self.writer.close()


class HttpClient:
    """Requests to one base URL over a pool of keep-alive connections (a new one opens whenever none is free)."""

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._timeout = timeout
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self._fixed_headers = f"Host: {self._host}:{self._port}\r\n{extra}".encode()
        self._idle: list[_Connection] = []

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """`body`: sent as JSON; `form`: as an HTML form; `headers`: besides the client's own."""
        head = f"{method} {path} HTTP/1.1\r\n".encode() + self._fixed_headers
        head += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items()).encode()
        payload = b""
        if form is not None:
            payload = urlencode(form).encode()
            head += b"Content-Type: application/x-www-form-urlencoded\r\n"
        elif body is not None:
            payload = json.dumps(body).encode()
            head += b"Content-Type: application/json\r\n"
        request = head + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload
        connection = await self._connection()
        try:
            response = await asyncio.wait_for(connection.exchange(request), self._timeout)
        except BaseException:
            connection.close()
            raise
        if connection.usable:
            self._idle.append(connection)
        return response

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, body: Any) -> Response:
        return await self.request("POST", path, body)

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                return connection
            connection.close()
        return await self._open()

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        return _Connection(reader, writer)

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
