"""HTTP API of OAuth 2.0 clients (integration systems), for `admin` only. The secret is shown once."""

from __future__ import annotations

from fastapi import APIRouter, Response

from mitra_console.domain.clients import Client, ClientPatch, ClientWithSecret, NewClient
from mitra_console.usecases import clients
from mitra_shared.http import ExpectedVersion, Problem, RequestContext, Work, etag
from mitra_shared.policy import allow

router = APIRouter(tags=["clients"], dependencies=[allow("admin", note="the administrator registers systems")])


@router.post(
    "/clients",
    status_code=201,
    response_model=ClientWithSecret,
    summary="Register an integration system",
    description="The answer holds `client_secret`, shown this once: only its hash is kept. The system gets tokens "
    "with the role `integration` from `POST /oauth/token` (client credentials).",
    responses={409: {"model": Problem, "description": "A client with that id exists"}},
)
async def register_client(command: NewClient, uow: Work, ctx: RequestContext, response: Response) -> ClientWithSecret:
    client = await clients.register_client(uow, ctx, command)
    response.headers["ETag"] = etag(client.version)
    return client


@router.get("/clients", response_model=list[Client], summary="List the integration systems")
async def list_clients(uow: Work) -> list[Client]:
    return await clients.list_clients(uow)


@router.patch(
    "/clients/{client_id}",
    response_model=ClientWithSecret,
    summary="Rename, disable or give a new secret to an integration system",
    description="Send `If-Match` with the ETag last read. `new_secret: true` answers the new secret, once.",
    responses={
        404: {"model": Problem, "description": "No such client"},
        412: {"model": Problem, "description": "The client changed since the ETag in If-Match"},
        428: {"model": Problem, "description": "If-Match is missing"},
    },
)
async def update_client(
    client_id: str, patch: ClientPatch, uow: Work, ctx: RequestContext, version: ExpectedVersion, response: Response
) -> ClientWithSecret:
    client = await clients.update_client(uow, ctx, client_id, patch, expected_version=version)
    response.headers["ETag"] = etag(client.version)
    return client
