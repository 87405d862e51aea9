"""The pages' client of the four services: `page.api.get("registry", "/organizations", params=...)`.

Each call carries the session's access token (minted by the console for the session's account and kept until a
minute before it expires; the browser never sees it), `Accept-Language: en`, and the request's correlation id
(`X-Correlation-ID`, `X-Request-ID`). The services' problem documents come in English, which the console's own
mapping of validation messages reads (`domain.problems`); on an Indonesian page their other reasons are then put
in Indonesian with the services' shared catalog, so that a page is in one language. A relayed request (`relay`)
carries the page's language: its answer goes on as the service gave it. Answers:

- 2xx: `get` returns the JSON; `send` returns an `Answer` (`ok`, `status`, `json`, `headers`, `problem`);
- 401: the token is minted again once and the call repeated; a second 401 ends the session (login page);
- 403 / 404: a friendly page (`NotAllowed`, `PageNotFound`), raised;
- 5xx, a timeout or no connection: the "service unavailable" page (`ServiceUnavailable`), raised;
- other 4xx (400, 409, 412, 413, 415, 422, 428): `get` raises `PageError`; `send` returns the answer with its
  `problem` for the page to show next to the fields (`FormErrors.from_problem`).

Files: `upload` sends a multipart form (a file read from disk in chunks, never whole); `open_stream` opens a
response to read in chunks (a download: the caller closes it); `relay` passes a request on as it is (the
resumable-upload proxy: its body streamed through) and gives the service's response, whatever its status.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import httpx

from mitra_console.domain.problems import in_page_language
from mitra_console.http.web.routing import LoginRequired, NotAllowed, PageError, PageNotFound, ServiceUnavailable

PROBLEMS_LANGUAGE = "en"
"""The language the console asks the services' problem documents in (see the module's docstring)."""

TokenSource = Callable[[bool], Awaitable[str]]
"""Gives the session's access token; `True` asks for a fresh one (after a 401)."""


@dataclass(frozen=True)
class Answer:
    status: int
    json: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def problem(self) -> Mapping[str, Any] | None:
        """The problem document of a refusal (None when it succeeded)."""
        if self.ok:
            return None
        return self.json if isinstance(self.json, Mapping) else {"title": str(self.status), "status": self.status}


class ApiClient:
    def __init__(
        self,
        clients: Mapping[str, httpx.AsyncClient],
        token: TokenSource,
        *,
        language: str,
        request_id: str,
        on_logged_out: Callable[[], Awaitable[None]],
        call_clients: Mapping[str, httpx.AsyncClient] | None = None,
    ) -> None:
        """`call_clients`: the clients of the JSON calls (`get`, `send`, `download`), when not `clients`."""
        self._clients = clients
        self._call_clients = call_clients or clients
        self._token = token
        self._language = language
        self._request_id = request_id
        self._on_logged_out = on_logged_out

    async def get(self, service: str, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """GET the JSON of a service's resource; any refusal becomes an error page."""
        answer = await self.send("GET", service, path, params=params)
        if not answer.ok:
            raise PageError(_summary(answer))
        return answer.json

    async def send(
        self,
        method: str,
        service: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Any call; a refusal the page should show with its form (400, 409, 412, 422, 428) is returned."""
        response = await self._call(method, service, path, json=json, params=params, headers=headers, fresh=False)
        if response.status_code == 401:
            response = await self._call(method, service, path, json=json, params=params, headers=headers, fresh=True)
            if response.status_code == 401:
                await self._on_logged_out()
                raise LoginRequired("ended")
        status = response.status_code
        if status == 403:
            raise NotAllowed(self._detail(response), self._problem(response))
        if status == 404:
            raise PageNotFound(self._detail(response))
        if status >= 500:
            raise ServiceUnavailable(service, f"{status}")
        json = _json(response) if response.is_success else self._problem(response) or _json(response)
        return Answer(status=status, json=json, headers=dict(response.headers))

    async def download(self, service: str, path: str, *, params: Mapping[str, Any] | None = None) -> httpx.Response:
        """GET a file as the service sends it (a CSV export), with the token renewed once if it had expired;
        a refusal becomes an error page."""
        response = await self._call("GET", service, path, json=None, params=params, headers=None, fresh=False)
        if response.status_code == 401:
            response = await self._call("GET", service, path, json=None, params=params, headers=None, fresh=True)
        if response.status_code == 401:
            await self._on_logged_out()
            raise LoginRequired("ended")
        if response.status_code == 403:
            raise NotAllowed(self._detail(response))
        if response.status_code != 200:
            raise ServiceUnavailable(service, str(response.status_code))
        return response

    async def upload(
        self,
        service: str,
        path: str,
        *,
        file: BinaryIO,
        filename: str,
        content_type: str,
        data: Mapping[str, str],
    ) -> Answer:
        """POST a multipart form with `file` (read from its start in chunks) and text fields; refusals as `send`."""

        async def attempt(fresh: bool) -> httpx.Response:
            file.seek(0)
            headers = await self._headers(fresh, None)
            files = {"file": (filename, file, content_type)}
            return await self._request(service, "POST", path, headers=headers, files=files, data=dict(data))

        response = await attempt(False)
        if response.status_code == 401:
            response = await attempt(True)
        return await self._answer(service, response)

    async def open_stream(self, service: str, path: str, *, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """GET a file as a stream (headers read, body not yet): the caller reads `aiter_bytes()` and closes it.
        A refusal becomes an error page (403, 404; 5xx or no answer: the service unavailable page)."""
        client = self._client(service)
        for fresh in (False, True):
            sent = await self._headers(fresh, {"Accept": "*/*", "Accept-Encoding": "identity", **(headers or {})})
            request = client.build_request("GET", path, headers=sent)
            try:
                response = await client.send(request, stream=True)
            except httpx.HTTPError as error:
                raise ServiceUnavailable(service, type(error).__name__) from error
            if response.status_code == 401 and not fresh:
                await response.aclose()
                continue
            if response.is_success:
                return response
            await response.aread()
            await response.aclose()
            if response.status_code == 401:
                break
            if response.status_code == 403:
                raise NotAllowed(self._detail(response))
            if response.status_code == 404:
                raise PageNotFound(self._detail(response))
            raise ServiceUnavailable(service, str(response.status_code))
        await self._on_logged_out()
        raise LoginRequired("ended")

    async def relay(
        self,
        method: str,
        service: str,
        path: str,
        *,
        headers: Mapping[str, str],
        content: AsyncIterable[bytes] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """A request passed on with the session's token; the service's response (read), whatever its status. Without
        a body a 401 is tried once more with a fresh token (a body streamed through cannot be sent twice). `timeout`
        (seconds): a longer wait than the client's own, for a request known to take long (an import)."""
        sent = {"Accept-Language": self._language, **headers}
        waits: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        response = await self._request(
            service, method, path, headers=await self._headers(False, sent), content=content, **waits
        )
        if response.status_code == 401 and content is None:
            response = await self._request(service, method, path, headers=await self._headers(True, sent), **waits)
        return response

    async def _answer(self, service: str, response: httpx.Response) -> Answer:
        if response.status_code == 401:
            await self._on_logged_out()
            raise LoginRequired("ended")
        status = response.status_code
        if status == 403:
            raise NotAllowed(self._detail(response), self._problem(response))
        if status == 404:
            raise PageNotFound(self._detail(response))
        if status >= 500:
            raise ServiceUnavailable(service, f"{status}")
        json = _json(response) if response.is_success else self._problem(response) or _json(response)
        return Answer(status=status, json=json, headers=dict(response.headers))

    def _problem(self, response: httpx.Response) -> Mapping[str, Any] | None:
        """The problem document of a refusal, in the page's language."""
        body = _json(response)
        return in_page_language(body, self._language) if isinstance(body, Mapping) else None

    def _detail(self, response: httpx.Response) -> str:
        problem = self._problem(response)
        if problem is not None:
            return str(problem.get("detail") or problem.get("title") or response.status_code)
        return str(response.status_code)

    def _client(self, service: str) -> httpx.AsyncClient:
        client = self._clients.get(service)
        if client is None:
            raise ValueError(f"no service named {service!r}")
        return client

    async def _headers(self, fresh: bool, extra: Mapping[str, str] | None) -> dict[str, str]:
        token = await self._token(fresh)
        return {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Accept-Language": PROBLEMS_LANGUAGE,
            "X-Correlation-ID": self._request_id,
            "X-Request-ID": self._request_id,
            **(extra or {}),
        }

    async def _request(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        client = self._client(service)
        try:
            return await client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ServiceUnavailable(service, type(error).__name__) from error

    async def _call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        json: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        fresh: bool,
    ) -> httpx.Response:
        client = self._call_clients.get(service)
        if client is None:
            raise ValueError(f"no service named {service!r}")
        token = await self._token(fresh)
        sent = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Accept-Language": PROBLEMS_LANGUAGE,
            "X-Correlation-ID": self._request_id,
            "X-Request-ID": self._request_id,
            **(headers or {}),
        }
        query = {key: value for key, value in (params or {}).items() if value is not None and value != ""}
        try:
            return await client.request(method, path, json=json, params=query, headers=sent)
        except httpx.HTTPError as error:
            raise ServiceUnavailable(service, type(error).__name__) from error


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _summary(answer: Answer) -> str:
    problem = answer.problem or {}
    return str(problem.get("detail") or problem.get("title") or answer.status)
