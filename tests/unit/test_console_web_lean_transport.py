"""The pages' JSON calls at once (`all_of`) and on the console's lean transport, against a small HTTP/1.1 server of
the test's own: answers with a length, chunked, or ending the connection; connections reused; a connection the
server closed while idle; a service that does not answer in time or at all."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from mitra_console.http.web.lean_transport import LeanTransport
from mitra_console.http.web.routing import PageNotFound
from mitra_console.http.web.together import all_of


class Server:
    """Answers `/chunked`, `/close` (then ends the connection), `/slow` (never), anything else: its path and body."""

    def __init__(self) -> None:
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while head := await _head(reader):
                length = next(
                    (int(line.split(b":")[1]) for line in head if line.lower().startswith(b"content-length")), 0
                )
                body = await reader.readexactly(length)
                path = head[0].split(b" ")[1].decode()
                if path == "/slow":
                    await asyncio.sleep(10)
                if path == "/chunked":
                    writer.write(
                        b'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{"a\r\n5\r\n": 1}\r\n0\r\n\r\n'
                    )
                elif path == "/close":
                    writer.write(b'HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n{"gone": true}')
                    await writer.drain()
                    break
                else:
                    answer = json.dumps({"path": path, "body": body.decode()}).encode()
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(answer) + answer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def _head(reader: asyncio.StreamReader) -> list[bytes]:
    lines = []
    while (line := await reader.readline()) not in (b"\r\n", b""):
        lines.append(line.strip())
    return lines


@pytest.fixture
async def served() -> AsyncIterator[tuple[Server, httpx.AsyncClient]]:
    server = Server()
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", transport=LeanTransport(4), timeout=0.5)
    yield server, client
    await client.aclose()
    listening.close()
    for writer in server.writers:
        writer.close()


async def test_json_with_query_and_body_on_one_kept_connection(served: tuple[Server, httpx.AsyncClient]) -> None:
    server, client = served
    got = await client.get("/items", params={"q": "a b", "status": ["x", "y"]})
    sent = await client.post("/items", json={"title": "T"})
    assert got.status_code == 200
    assert got.json()["path"] == "/items?q=a+b&status=x&status=y"
    assert json.loads(sent.json()["body"]) == {"title": "T"}
    assert server.connections == 1


async def test_chunked_and_connection_ending_answers(served: tuple[Server, httpx.AsyncClient]) -> None:
    server, client = served
    assert (await client.get("/chunked")).json() == {"a": 1}
    ended = await client.get("/close")
    assert ended.status_code == 404
    assert ended.json() == {"gone": True}
    assert (await client.get("/after")).json()["path"] == "/after"
    assert server.connections == 2


async def test_calls_at_once_open_at_most_the_limit(served: tuple[Server, httpx.AsyncClient]) -> None:
    server, client = served
    answers = await all_of(*(client.get(f"/{index}") for index in range(12)))
    assert [answer.json()["path"] for answer in answers] == [f"/{index}" for index in range(12)]
    assert server.connections <= 4


async def test_a_connection_the_server_closed_while_idle_is_replaced(served: tuple[Server, httpx.AsyncClient]) -> None:
    server, client = served
    await client.get("/first")
    for writer in server.writers:  # the server ends its idle keep-alive connection
        writer.close()
    await asyncio.gather(*(writer.wait_closed() for writer in server.writers))
    assert (await client.get("/second")).json()["path"] == "/second"


async def test_no_answer_in_time_or_no_service(served: tuple[Server, httpx.AsyncClient]) -> None:
    _, client = served
    with pytest.raises(httpx.TimeoutException):
        await client.get("/slow")
    nobody = httpx.AsyncClient(base_url="http://127.0.0.1:9", transport=LeanTransport(1))
    with pytest.raises(httpx.ConnectError):
        await nobody.get("/")


async def test_all_of_raises_the_first_failure_and_cancels_the_rest() -> None:
    finished: list[str] = []

    async def slow() -> str:
        await asyncio.sleep(1)
        finished.append("slow")
        return "slow"

    async def missing() -> str:
        raise PageNotFound("x")

    with pytest.raises(PageNotFound):
        await all_of(slow(), missing())
    await asyncio.sleep(0)
    assert finished == []
    assert await all_of(asyncio.sleep(0, "a"), asyncio.sleep(0, "b")) == ["a", "b"]


def test_a_service_reached_over_tls_keeps_httpx_transport() -> None:
    from mitra_console.http.web.state import _call_transport

    assert isinstance(_call_transport("http://registry:8001"), LeanTransport)
    assert isinstance(_call_transport("https://registry.kemendagri.go.id"), httpx.AsyncHTTPTransport)
