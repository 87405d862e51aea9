"""Every HTTP operation declares who may call it; an operation that declares nothing refuses everyone.

A route says `dependencies=[allow("tpoa", "ngo", note="an NGO: its own organization")]`. The roles named may call
it (anyone else gets 403); what a scoped role may touch (an NGO its own records, a ministry its MSPs, a region its
area) is the use case's to check, with `mitra_shared.access`. `create_app` records each route's policy, documents
it in OpenAPI (`x-mitra-access`, and a 403 answer) and installs one app-wide check that refuses an operation
without a policy: deny by default, even for a route someone forgets to mark.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from mitra_shared.access import ROLES, Role, role_of
from mitra_shared.errors import Forbidden
from mitra_shared.http import CurrentPrincipal

OPENAPI_EXTENSION = "x-mitra-access"


@dataclass(frozen=True)
class Policy:
    """Who may call an operation: the roles, or anyone (`public`: health, metrics, the documents)."""

    roles: tuple[str, ...]
    note: str = ""
    public: bool = False

    def describe(self) -> dict[str, Any]:
        if self.public:
            return {"public": True}
        return {"roles": list(self.roles), **({"note": self.note} if self.note else {})}


class RolesAllowed:
    """The FastAPI dependency of a non-public policy: the caller's role must be one it names."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    async def __call__(self, principal: CurrentPrincipal) -> None:
        role = role_of(principal)
        if role not in self.policy.roles:
            raise Forbidden(None, f"the `{role}` role may not do this; it is for: {', '.join(self.policy.roles)}")


class Anyone:
    """The dependency of a public policy: checks nothing."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    async def __call__(self) -> None:
        return None


def allow(*roles: Role, note: str = "") -> Any:
    """The policy of an operation: these roles may call it (`note` says what scope limits each, for the docs)."""
    unknown = [role for role in roles if role not in ROLES]
    if not roles or unknown:
        raise ValueError(f"allow() needs roles of {ROLES}, got {roles}")
    return Depends(RolesAllowed(Policy(tuple(roles), note=note)))


PUBLIC: Any = Depends(Anyone(Policy((), public=True)))
"""The policy of operations open to anyone without a token: health, metrics, the API documents."""


def policy_of(route: APIRoute) -> Policy | None:
    for dependency in route.dependencies:
        marker = dependency.dependency
        if isinstance(marker, RolesAllowed | Anyone):
            return marker.policy
    return None


async def enforce_declared_policy(request: Request) -> None:
    """The app-wide check: an operation without a declared policy is refused, whoever calls."""
    route = request.scope.get("route")
    if getattr(route, "mitra_policy", None) is None:
        raise Forbidden(None, "this operation declares no access policy, so it is refused to everyone")


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, including those of included routers (FastAPI keeps those in the router they came from)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from api_routes(included.routes)


def record_policies(app: FastAPI) -> list[str]:
    """Note each route's policy on the route (for `enforce_declared_policy` and the OpenAPI document); return the
    operations that declare none."""
    undeclared: list[str] = []
    for route in api_routes(app.routes):
        policy = policy_of(route)
        route.mitra_policy = policy  # type: ignore[attr-defined]
        if policy is None:
            undeclared.extend(f"{method} {route.path}" for method in sorted(route.methods or ()))
    return undeclared


def document_policies(app: FastAPI, document: dict[str, Any]) -> None:
    """`x-mitra-access` on every operation (its roles and note, or public), and a 403 on the non-public ones."""
    for route in api_routes(app.routes):
        if not route.include_in_schema:
            continue
        policy: Policy | None = getattr(route, "mitra_policy", None)
        item = document.get("paths", {}).get(route.path_format, {})
        for method in route.methods or ():
            operation = item.get(method.lower())
            if operation is None:
                continue
            operation[OPENAPI_EXTENSION] = policy.describe() if policy else {"roles": []}
            if policy is None or not policy.public:
                operation.setdefault("responses", {}).setdefault(
                    "403", {"description": "Forbidden: the caller's role or scope does not allow this"}
                )


def install_policy_documentation(app: FastAPI) -> None:
    """Make `app.openapi()` carry each operation's policy (call before the problem documentation wraps it)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document_policies(app, document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
