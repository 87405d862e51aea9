"""The HTTP side every service shares: problem details, bearer auth, correlation ids, health, docs (the metrics are
served apart: `mitra_shared.metrics`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mitra_shared import db, errors, metrics
from mitra_shared.api_docs import install_docs_routes
from mitra_shared.auth import InvalidToken, Principal, TokenVerifier
from mitra_shared.clock import Clock
from mitra_shared.context import Context
from mitra_shared.errors import FileProblems, Refused, StaleVersion, StoredDocumentCorrupted, VersionRequired
from mitra_shared.problem_language import PROBLEM_JSON as PROBLEM_JSON
from mitra_shared.problem_language import ProblemResponse, joined
from mitra_shared.uow import UnitOfWork

log = structlog.get_logger(__name__)
CORRELATION_HEADER = "X-Correlation-ID"
RETRY_AFTER_SECONDS = 2  # a request that met a database restart or a dropped session (db.DATABASE_LOST): 503
PUBLIC_PATHS = ("/health/", "/metrics", "/docs", "/redoc", "/openapi.json", "/asyncapi")


class FieldProblem(BaseModel):
    field: str = Field(
        description="Where the problem is: `body.legal_name`, `query.limit`, ...; in an imported file, `file.` and "
        "the column's key (`file.legal_name`), or `file` for the whole row."
    )
    reason: str
    line: int | None = Field(None, description="In an imported file: the row's line (the header is line 1).")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = Field(None, description="Each invalid field and why.")


# How each refusal reads over HTTP: the one place that knows (the consumer has its own, in `inbox`).
REFUSAL_STATUS: dict[type[Refused], tuple[int, str]] = {
    errors.RuleBroken: (422, "Request breaks a rule"),
    errors.Conflict: (409, "Conflict with the current state"),
    errors.NotFound: (404, "Not found"),
    errors.Forbidden: (403, "Forbidden"),
    StaleVersion: (412, "Precondition Failed"),
    VersionRequired: (428, "Precondition Required"),
    errors.ContentTooLarge: (413, "Content Too Large"),
    errors.UnsupportedContent: (415, "Unsupported Media Type"),
}


def refusal_status(refused: Refused) -> tuple[int, str]:
    for kind in type(refused).__mro__:
        if kind in REFUSAL_STATUS:
            return REFUSAL_STATUS[kind]
    return 422, "Request breaks a rule"


def etag(version: int) -> str:
    return f'"{version}"'


def parse_version_tag(value: str) -> int | None:
    """The record version an `If-Match` value names (`"3"`, `W/"3"` or `3`); None if it names none."""
    text = value.strip().removeprefix("W/")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def if_match_version(if_match: str | None, *, what: str = "this record") -> int:
    """The version a change was based on, from `If-Match` (the ETag the client read): 428 without one, 412 if it
    names no version."""
    if if_match is None or not if_match.strip():
        raise VersionRequired(
            "header.if-match",
            'send If-Match with the ETag of the version you read (e.g. "3"), so that no change is overwritten unseen',
        )
    if if_match.strip() == "*":
        raise VersionRequired(
            "header.if-match", 'If-Match: * would overwrite whatever is there; name the version you read (e.g. "3")'
        )
    version = parse_version_tag(if_match)
    if version is None:
        raise StaleVersion("header.if-match", f"If-Match {if_match!r} names no version of {what}")
    return version


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='The ETag of the version you read, e.g. `"3"`. Required: without it the change is refused '
            "with 428; if the record changed since, with 412.",
            examples=['"3"'],
        ),
    ] = None,
) -> int:
    return if_match_version(if_match)


ExpectedVersion = Annotated[int, Depends(expected_version)]


def problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses` documenting these statuses as problem documents."""
    return {status: {"model": Problem} for status in statuses}


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    """The problem document, in the language the request prefers (`mitra_shared.problem_language`)."""
    return ProblemResponse(problem.model_dump(exclude_none=True), problem.status, headers=headers)


def _field_name(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def install_problem_handlers(app: FastAPI) -> None:
    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [FieldProblem(field=_field_name(tuple(e["loc"])), reason=e["msg"]) for e in exc.errors()]
        problem = Problem(title="Invalid request", status=422, detail=joined(errors), instance=request.url.path)
        return problem_response(problem.model_copy(update={"errors": errors}))

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(
            Problem(
                title=_reason(exc.status_code),
                status=exc.status_code,
                detail=str(exc.detail),
                instance=request.url.path,
            ),
            headers=dict(exc.headers) if exc.headers else None,
        )

    async def refusal(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Refused)
        status, title = refusal_status(exc)
        if isinstance(exc, FileProblems):
            errors: list[FieldProblem] | None = [
                FieldProblem(field=field, reason=reason, line=line)
                for (line, _, _), (field, reason) in zip(exc.lines, exc.field_problems(), strict=True)
            ]
        else:
            errors = [FieldProblem(field=field, reason=reason) for field, reason in exc.field_problems()] or None
        # A body too large is not read on: the connection closes rather than carry the rest as the next request.
        headers = {"Connection": "close"} if status == 413 else None
        return problem_response(
            Problem(title=title, status=status, detail=exc.reason, instance=request.url.path, errors=errors),
            headers=headers,
        )

    async def corrupted_document(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StoredDocumentCorrupted)
        detail = f"document {exc.document_id}: {exc.title}; the operators are told"
        return problem_response(Problem(title=exc.title, status=500, detail=detail, instance=request.url.path))

    async def unstorable_text(request: Request, exc: Exception) -> JSONResponse:
        if not _is_unstorable_text(exc):
            raise exc
        detail = "a text value holds the NUL character (U+0000), which the database cannot store"
        return problem_response(Problem(title="Invalid request", status=422, detail=detail, instance=request.url.path))

    async def database_unreachable(request: Request, exc: Exception) -> JSONResponse:
        # A restart or a dropped session, not a fault of the request: the caller may try again shortly (a change
        # whose commit was cut off may or may not have been made: reading it back tells).
        log.warning("database unreachable during a request", error=type(exc).__name__, path=request.url.path)
        detail = "the database cannot be reached right now; try again shortly"
        problem = Problem(title="Service Unavailable", status=503, detail=detail, instance=request.url.path)
        return problem_response(problem, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    app.add_exception_handler(RequestValidationError, validation)
    for lost in db.DATABASE_LOST:
        app.add_exception_handler(lost, database_unreachable)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Refused, refusal)
    app.add_exception_handler(StoredDocumentCorrupted, corrupted_document)
    app.add_exception_handler(asyncpg.DataError, unstorable_text)


def _is_unstorable_text(error: BaseException) -> bool:
    """PostgreSQL's text and jsonb hold no NUL (U+0000): a request with one is invalid (422), not a server error."""
    return isinstance(error, (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError))


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class RequestContextMiddleware:
    """Binds a correlation id (taken from `X-Correlation-ID` or made up) to the logs, and measures the request.

    Plain ASGI rather than Starlette's `BaseHTTPMiddleware`, which costs a task and a stream per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = Headers(scope=scope).get(CORRELATION_HEADER) or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_correlation(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message).append(CORRELATION_HEADER, correlation_id)
            await send(message)

        path = scope.get("path", "")
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            try:
                await self.app(scope, receive, send_with_correlation)
            except Exception:
                # Answered here rather than by Starlette's error middleware, which re-raises into the server and
                # makes it drop the connection: the client gets a problem document and the log the traceback.
                log.exception("unhandled error", path=path)
                if response_started:
                    raise
                problem = Problem(
                    title="Internal Server Error", status=500, detail="see the service log", instance=path
                )
                await problem_response(problem)(scope, receive, send_with_correlation)
            route_path = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            metrics.HTTP_REQUESTS.labels(method, route_path, str(status)).inc()
            metrics.HTTP_LATENCY.labels(method, route_path).observe(elapsed)
            if not path.startswith(PUBLIC_PATHS):
                log.info("http request", method=method, path=path, status=status, duration_ms=round(elapsed * 1000, 2))


_bearer = HTTPBearer(auto_error=False, description="A JWT from the identity provider (`make token` locally).")


async def require_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from a valid bearer token; the service's verifier sits in `app.state.verifier` (it fetches the
    keys of a JWKS issuer when the token names one it does not hold yet)."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    verifier: TokenVerifier = request.app.state.verifier
    try:
        found = await verifier.authenticate(credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(
            401, f"invalid token: {error}", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        ) from error
    request.state.principal = found
    structlog.contextvars.bind_contextvars(subject=found.subject)
    return found


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


async def get_pool(request: Request) -> asyncpg.Pool:
    # async: FastAPI runs a plain `def` dependency in a thread, a hop on every request.
    pool: asyncpg.Pool = request.app.state.resources.pool
    return pool


DatabasePool = Annotated[asyncpg.Pool, Depends(get_pool)]


async def get_unit_of_work(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.uow
    return uow


Work = Annotated[UnitOfWork, Depends(get_unit_of_work)]
"""The service's unit of work, for a route to hand to its use case."""


async def request_context(request: Request, principal: CurrentPrincipal) -> Context:
    """The context of this request's change: the caller, the service clock's `now`, the correlation id."""
    clock: Clock = request.app.state.clock
    return Context(principal=principal, now=clock(), request_id=correlation_id(request))


RequestContext = Annotated[Context, Depends(request_context)]


def correlation_id(request: Request) -> str:
    return str(getattr(request.state, "correlation_id", "")) or str(uuid.uuid4())


Check = Callable[[], Awaitable[str | None]]


def install_operations_routes(
    app: FastAPI,
    *,
    readiness_checks: dict[str, Check],
    asyncapi_json: Callable[[], str],
    asyncapi_title: str,
    dependencies: Sequence[Any] = (),
) -> None:
    """Health and the documentation (`mitra_shared.api_docs`: the OpenAPI and AsyncAPI pages with their own
    scripts, no CDN). Open without a token: probes and scrapers have none."""

    @app.get("/health/live", dependencies=list(dependencies), tags=["operations"], summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/health/ready",
        dependencies=list(dependencies),
        tags=["operations"],
        summary="Database and broker reachable, consumers attached, relay running",
        responses={503: {"model": Problem}},
    )
    async def ready(request: Request) -> Any:
        failures: dict[str, str] = {}
        for name, check in readiness_checks.items():
            try:
                problem = await check()
            except Exception as error:  # a check that raises is a failed check
                problem = f"{type(error).__name__}: {error}"
            if problem:
                failures[name] = problem
        if failures:
            errors = [FieldProblem(field=k, reason=v) for k, v in failures.items()]
            path = request.url.path
            return problem_response(
                Problem(title="Not ready", status=503, detail=joined(errors), instance=path, errors=errors)
            )
        return {"status": "ready", "checks": list(readiness_checks)}

    install_docs_routes(app, asyncapi_json=asyncapi_json, asyncapi_title=asyncapi_title, dependencies=dependencies)
