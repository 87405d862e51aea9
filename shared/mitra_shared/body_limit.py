"""JSON bodies over 1 MB are refused with 413 before anything parses them.

Every JSON body of the APIs is a form's worth of data; a larger one is a mistake or an attack, and parsing it
costs memory and time first. Checked on `Content-Length` when the client sends one, and by counting otherwise
(a chunked body): the body is read up to the limit, then handed on as it came. Other content types (a regions CSV
file) have their own limits where they are read.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mitra_shared.http import Problem, problem_response

MAX_JSON_BODY_BYTES = 1024 * 1024


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class JsonBodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_JSON_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _is_json(headers.get("content-type", "")):
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        await self.app(scope, _replay(chunks, None), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = Problem(
            title="Content Too Large",
            status=413,
            detail=f"a JSON body may be at most {self.max_bytes} bytes",
            instance=scope.get("path"),
        )
        await problem_response(problem, headers={"Connection": "close"})(scope, receive, send)


def _replay(chunks: list[bytes], final: Message | None) -> Receive:
    """A `receive` that hands on the body already read (one message), then whatever comes after."""
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
    if final is not None:
        pending = [final]

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive
