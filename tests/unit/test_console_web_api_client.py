"""The pages' client of the services, against a small service of the test's own in-process (ASGI): what each call
carries, and how each kind of answer reads to the page (JSON, a problem to show, a re-minted token after a 401,
the friendly pages for 403 / 404 / 5xx / no connection)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mitra_console.http.web.api import ApiClient
from mitra_console.http.web.routing import LoginRequired, NotAllowed, PageError, PageNotFound, ServiceUnavailable

SEEN: list[dict[str, str]] = []


async def answer(request: Request) -> Response:
    SEEN.append(dict(request.headers))
    kind = request.path_params["kind"]
    token = request.headers.get("authorization", "")
    if kind == "ok":
        return JSONResponse({"items": [1, 2], "q": request.query_params.get("q")})
    if kind == "needs-fresh":
        return JSONResponse({"fresh": True}) if token == "Bearer token-2" else JSONResponse({}, status_code=401)
    if kind == "always-401":
        return JSONResponse({"title": "Unauthorized"}, status_code=401)
    if kind == "refused":
        problem = {"title": "Invalid request", "status": 422, "errors": [{"field": "body.title", "reason": "x"}]}
        return JSONResponse(problem, status_code=422, media_type="application/problem+json")
    if kind == "explained":  # a validation message the console maps itself, and a domain rule's reason
        errors = [
            {"field": "body.title", "reason": "Field required"},
            {"field": "query.to", "reason": "the period ends before it starts"},
            {"field": "body.note", "reason": "a reason no catalog knows"},
        ]
        problem = {"title": "Invalid request", "status": 422, "errors": errors}
        return JSONResponse(problem, status_code=422, media_type="application/problem+json")
    if kind == "not-yours":
        detail = "the `ngo` role may not do this; it is for: tpoa"
        return JSONResponse({"title": "Forbidden", "status": 403, "detail": detail}, status_code=403)
    status = {"forbidden": 403, "missing": 404, "broken": 500}[kind]
    return JSONResponse({"title": "no", "detail": kind}, status_code=status)


SERVICE = Starlette(routes=[Route("/things/{kind}", answer, methods=["GET", "POST"])])


class Tokens:
    def __init__(self) -> None:
        self.minted = 0
        self.logged_out = False

    async def token(self, fresh: bool) -> str:
        if fresh or not self.minted:
            self.minted += 1
        return f"token-{self.minted}"

    async def log_out(self) -> None:
        self.logged_out = True


def client(tokens: Tokens, transport: httpx.AsyncBaseTransport | None = None) -> ApiClient:
    http = httpx.AsyncClient(base_url="http://registry", transport=transport or httpx.ASGITransport(app=SERVICE))
    return ApiClient({"registry": http}, tokens.token, language="id", request_id="req-1", on_logged_out=tokens.log_out)


async def test_a_call_carries_the_token_language_and_request_id() -> None:
    tokens = Tokens()
    data: Any = await client(tokens).get("registry", "/things/ok", params={"q": "plan", "empty": None})
    assert data == {"items": [1, 2], "q": "plan"}
    headers = SEEN[-1]
    assert headers["authorization"] == "Bearer token-1"
    assert headers["accept-language"] == "en"  # problems in English: the page puts them in its own language
    assert headers["x-request-id"] == "req-1"
    assert headers["x-correlation-id"] == "req-1"


async def test_a_refusal_comes_back_for_the_form() -> None:
    answer = await client(Tokens()).send("POST", "registry", "/things/refused", json={"title": ""})
    assert not answer.ok
    assert answer.status == 422
    assert answer.problem is not None
    assert answer.problem["errors"][0]["field"] == "body.title"
    with pytest.raises(PageError):
        await client(Tokens()).get("registry", "/things/refused")


async def test_on_an_indonesian_page_the_services_reasons_are_in_indonesian() -> None:
    answer = await client(Tokens()).send("POST", "registry", "/things/explained", json={})
    assert answer.problem is not None
    assert answer.problem["title"] == "Permintaan tidak valid"
    reasons = [(error["reason"], error.get("translated", False)) for error in answer.problem["errors"]]
    assert reasons == [
        ("Field required", False),  # the console's own msgid translates it (domain.problems.KNOWN_REASONS)
        ("periode berakhir sebelum dimulai", True),
        ("a reason no catalog knows", False),
    ]
    with pytest.raises(NotAllowed) as refused:
        await client(Tokens()).get("registry", "/things/not-yours")
    assert str(refused.value) == "peran `ngo` tidak boleh melakukan ini; ini hanya untuk: tpoa"


async def test_an_english_page_gets_the_problems_as_given() -> None:
    http = httpx.AsyncClient(base_url="http://registry", transport=httpx.ASGITransport(app=SERVICE))
    tokens = Tokens()
    english = ApiClient({"registry": http}, tokens.token, language="en", request_id="r", on_logged_out=tokens.log_out)
    answer = await english.send("POST", "registry", "/things/explained", json={})
    assert answer.problem is not None
    assert answer.problem["errors"][1] == {"field": "query.to", "reason": "the period ends before it starts"}


async def test_a_401_mints_a_fresh_token_once_then_logs_out() -> None:
    tokens = Tokens()
    assert await client(tokens).get("registry", "/things/needs-fresh") == {"fresh": True}
    assert tokens.minted == 2
    assert not tokens.logged_out
    again = Tokens()
    with pytest.raises(LoginRequired):
        await client(again).get("registry", "/things/always-401")
    assert again.minted == 2
    assert again.logged_out


@pytest.mark.parametrize(
    ("kind", "error"), [("forbidden", NotAllowed), ("missing", PageNotFound), ("broken", ServiceUnavailable)]
)
async def test_refusals_become_friendly_pages(kind: str, error: type[PageError]) -> None:
    with pytest.raises(error):
        await client(Tokens()).send("GET", "registry", f"/things/{kind}")


async def test_a_service_that_does_not_answer_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ServiceUnavailable) as raised:
        await client(Tokens(), httpx.MockTransport(refuse)).get("registry", "/things/ok")
    assert raised.value.service == "registry"
