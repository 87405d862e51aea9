"""The token endpoints (OAuth 2.0): `POST /auth/token` (password grant, for people) and `POST /oauth/token`
(client credentials, for integration systems), and the published keys and OpenID configuration.

Both token endpoints take a form (`application/x-www-form-urlencoded`, as RFC 6749 says) or JSON. A refusal is a
problem document that also carries OAuth's `error` and `error_description`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from mitra_console.http.common import Config, LoginContext
from mitra_console.usecases import keys, login
from mitra_console.usecases.login import GrantRefused, IssuedToken
from mitra_shared.http import PROBLEM_JSON, Work
from mitra_shared.policy import PUBLIC

router = APIRouter(tags=["tokens"])
MAX_BODY = 16 * 1024
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class PasswordGrant(BaseModel):
    grant_type: str = Field("password", description="`password` (may be left out).")
    username: str = Field(max_length=256)
    password: str = Field(max_length=1024)


class TokenRequest(BaseModel):
    grant_type: str = Field(description="`client_credentials` or `password`.")
    client_id: str | None = Field(None, description="With `client_secret`, instead of HTTP Basic.")
    client_secret: str | None = None
    username: str | None = Field(None, description="For `password`.")
    password: str | None = Field(None, description="For `password`.")


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


def _body_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": schema},
                "application/json": {"schema": schema},
            },
        }
    }


_refusals: dict[int | str, dict[str, Any]] = {
    400: {"description": "Refused (`error`: `invalid_request`, `invalid_grant`, `unsupported_grant_type`)"},
    401: {"description": "The client is unknown or its secret wrong (`error`: `invalid_client`)"},
}


def refusal(error: GrantRefused) -> JSONResponse:
    headers = dict(NO_STORE)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="mitra"'
    body = {
        "type": "about:blank",
        "title": "Unauthorized" if error.status == 401 else "Bad Request",
        "status": error.status,
        "detail": error.description,
        "error": error.error,
        "error_description": error.description,
    }
    return JSONResponse(body, status_code=error.status, media_type=PROBLEM_JSON, headers=headers)


def answer(issued: IssuedToken) -> JSONResponse:
    body = TokenAnswer(access_token=issued.access_token, expires_in=issued.expires_in, token_type=issued.token_type)
    return JSONResponse(body.model_dump(), headers=NO_STORE)


async def _fields(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise GrantRefused("invalid_request", f"the request is over {MAX_BODY} bytes")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
        if media == "application/json":
            data = json.loads(text or "{}")
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(key): value for key, value in data.items() if isinstance(value, str)}
        if media in ("application/x-www-form-urlencoded", ""):
            return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=False))
    except ValueError:
        raise GrantRefused("invalid_request", "the body is neither a form nor a JSON object") from None
    raise GrantRefused("invalid_request", "send the parameters as application/x-www-form-urlencoded or JSON")


@router.post(
    "/auth/token",
    dependencies=[PUBLIC],
    response_model=TokenAnswer,
    summary="Log in: a short-lived access token for a username and password",
    description="The password grant of OAuth 2.0 for people: `username` and `password` as a form or JSON. The answer "
    "is an access token signed by the console (its keys at `/.well-known/jwks.json`), valid for `expires_in` "
    "seconds, naming the account's one role and scope. Repeated failures lock the account for a while; a refusal "
    "never says whether the account exists.",
    responses=_refusals,
    openapi_extra=_body_of(PasswordGrant),
)
async def password_token(request: Request, uow: Work, ctx: LoginContext, config: Config) -> JSONResponse:
    try:
        fields = await _fields(request)
        if fields.get("grant_type", "password") != "password":
            raise GrantRefused("unsupported_grant_type", "this endpoint takes grant_type=password")
        return answer(await _password(fields, uow, ctx, config))
    except GrantRefused as error:
        return refusal(error)


async def _password(fields: dict[str, str], uow: Work, ctx: LoginContext, config: Config) -> IssuedToken:
    username, password = fields.get("username"), fields.get("password")
    if not username or not password or len(username) > 256 or len(password) > 1024:
        raise GrantRefused("invalid_request", "send `username` and `password`")
    return await login.password_grant(uow, ctx, config, username=username, password=password)


async def _client(
    request: Request, fields: dict[str, str], uow: Work, ctx: LoginContext, config: Config
) -> IssuedToken:
    client_id, secret = _basic(request) or (fields.get("client_id"), fields.get("client_secret"))
    if not client_id or not secret or len(client_id) > 64 or len(secret) > 256:
        raise GrantRefused("invalid_client", "authenticate the client (HTTP Basic, or client_id and secret)", 401)
    return await login.client_credentials(uow, ctx, config, client_id=client_id, client_secret=secret)


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise GrantRefused("invalid_client", "the Basic credentials cannot be read", status=401) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise GrantRefused("invalid_client", "the Basic credentials cannot be read", status=401)
    return unquote_plus(client_id), unquote_plus(secret)


@router.post(
    "/oauth/token",
    dependencies=[PUBLIC],
    response_model=TokenAnswer,
    summary="The OAuth 2.0 token endpoint: client credentials (integration systems) or password",
    description="`grant_type=client_credentials`, the client authenticated with HTTP Basic (`client_id:secret`) or "
    "`client_id` and `client_secret` in the body: a token with the role `integration` (read-only APIs). "
    "`grant_type=password` works as `POST /auth/token`.",
    responses=_refusals,
    openapi_extra=_body_of(TokenRequest),
)
async def client_token(request: Request, uow: Work, ctx: LoginContext, config: Config) -> JSONResponse:
    try:
        fields = await _fields(request)
        grant_type = fields.get("grant_type")
        if grant_type == "client_credentials":
            return answer(await _client(request, fields, uow, ctx, config))
        if grant_type == "password":
            return answer(await _password(fields, uow, ctx, config))
        raise GrantRefused("unsupported_grant_type", "grant_type is client_credentials or password")
    except GrantRefused as error:
        return refusal(error)


class Jwks(BaseModel):
    keys: list[dict[str, Any]]


@router.get(
    "/.well-known/jwks.json",
    dependencies=[PUBLIC],
    response_model=Jwks,
    tags=["keys"],
    summary="The public keys that verify the console's tokens (JWKS)",
    description="The key that signs now, the next one (published ahead of its use) and the retired ones whose "
    "tokens may still be valid. A verifier fetches them again when a token names a `kid` it does not know.",
)
async def published_keys(uow: Work, ctx: LoginContext) -> JSONResponse:
    document = await keys.jwks(uow, ctx.now)
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=300"})


class OpenIdConfiguration(BaseModel):
    issuer: str
    jwks_uri: str
    token_endpoint: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    response_types_supported: list[str]
    subject_types_supported: list[str]
    claims_supported: list[str]


@router.get(
    "/.well-known/openid-configuration",
    dependencies=[PUBLIC],
    response_model=OpenIdConfiguration,
    tags=["keys"],
    summary="Where the console's keys and token endpoint are (OpenID Connect discovery)",
)
async def openid_configuration(config: Config) -> OpenIdConfiguration:
    return OpenIdConfiguration(
        issuer=config.issuer,
        jwks_uri=f"{config.issuer}/.well-known/jwks.json",
        token_endpoint=f"{config.issuer}/oauth/token",
        grant_types_supported=["password", "client_credentials"],
        token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
        id_token_signing_alg_values_supported=["EdDSA"],
        response_types_supported=["token"],
        subject_types_supported=["public"],
        claims_supported=["iss", "aud", "sub", "name", "roles", "ministry_code", "region_code", "organization_id"],
    )
