"""How every service documents its error responses, in one place.

FastAPI documents `responses={404: {"model": Problem}}` as `application/json` and adds its own `HTTPValidationError`
422 to every operation with parameters. The services answer every error with a problem document
(`application/problem+json`, see `mitra_shared.http.install_problem_handlers`), so the generated document is
post-processed once: every 4xx/5xx response is a `Problem` as `application/problem+json`; an operation behind the
bearer token documents 401; one with parameters or a body documents 422 (the request validation); one with a body
documents 400 (a body FastAPI cannot even decode, e.g. bytes that are not UTF-8: its "error parsing the body"); one
with a path parameter documents 404 (an id naming nothing, or a path that matches no route); one that takes a file as
`multipart/form-data` (a document upload) documents 413 (the file is over the documents size limit) and 415 (its
content is not of a type allowed, or the request is neither a form nor JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from mitra_shared.http import PROBLEM_JSON, Problem

PROBLEM_REF = "#/components/schemas/Problem"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# FastAPI's own validation error schemas, replaced by `Problem` everywhere.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

UNAUTHORIZED = {
    "description": "Missing or invalid bearer token",
    "headers": {
        "WWW-Authenticate": {
            "description": 'How to authenticate: `Bearer`, or `Bearer error="invalid_token"`',
            "schema": {"type": "string"},
        }
    },
}
FASTAPI_VALIDATION_DESCRIPTION = "Validation Error"
INVALID_REQUEST = "Invalid request: a parameter or the body breaks its schema (each field in `errors`)"
UNREADABLE_BODY = "Bad request: the body cannot be read as its content type says (e.g. it is not UTF-8 text)"
NO_SUCH_RESOURCE = "Not found: the path names nothing"
TOO_LARGE = "Content Too Large: a JSON body may be at most 1 MB"
DATABASE_UNAVAILABLE = (
    "Service Unavailable: the database cannot be reached right now (a restart, a dropped connection); try again after "
    "`Retry-After` seconds"
)
MULTIPART = "multipart/form-data"
FILE_TOO_LARGE = "Content Too Large: the file is over the documents size limit (`MITRA_DOCUMENTS_MAX_BYTES`)"
UNSUPPORTED_FILE = (
    "Unsupported Media Type: the file's content (judged from its bytes) is not of a type allowed, or the request is "
    "neither `multipart/form-data` nor JSON"
)


def document_problems(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI `document` with every error response documented as a problem document (changed in place)."""
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                _document_operation(operation)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _problem_schemas().items():
        schemas.setdefault(name, schema)
    # FastAPI's validation schemas refer to each other: dropped unless something else still refers to them.
    fastapi_refs = tuple(f"#/components/schemas/{name}" for name in FASTAPI_VALIDATION_SCHEMAS)
    others = {name: schema for name, schema in schemas.items() if name not in FASTAPI_VALIDATION_SCHEMAS}
    if not _mentions(document.get("paths", {}), fastapi_refs) and not _mentions(others, fastapi_refs):
        for name in FASTAPI_VALIDATION_SCHEMAS:
            schemas.pop(name, None)
    return document


def _document_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if operation.get("security"):
        responses.setdefault("401", dict(UNAUTHORIZED))
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        invalid = responses.setdefault("422", {"description": INVALID_REQUEST})
        if invalid.get("description") == FASTAPI_VALIDATION_DESCRIPTION:
            invalid["description"] = INVALID_REQUEST
    if "requestBody" in operation:
        responses.setdefault("400", {"description": UNREADABLE_BODY})
        media_types = operation["requestBody"].get("content", {})
        if MULTIPART in media_types:
            responses.setdefault("413", {"description": FILE_TOO_LARGE})
            responses.setdefault("415", {"description": UNSUPPORTED_FILE})
        if any(_is_json_media(media) for media in media_types):
            responses.setdefault("413", {"description": TOO_LARGE})
    if any(parameter.get("in") == "path" for parameter in parameters):
        responses.setdefault("404", {"description": NO_SUCH_RESOURCE})
    responses.setdefault("503", {"description": DATABASE_UNAVAILABLE})
    for status, response in responses.items():
        if _is_error(status):
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}
    operation["responses"] = dict(sorted(responses.items(), key=lambda entry: str(entry[0])))


def _is_json_media(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _is_error(status: str | int) -> bool:
    text = str(status)
    return text[:1] in ("4", "5")


def _problem_schemas() -> dict[str, Any]:
    """`Problem` and what it refers to, as OpenAPI component schemas."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {"Problem": schema, **definitions}


def _mentions(node: object, refs: tuple[str, ...]) -> bool:
    if isinstance(node, dict):
        if node.get("$ref") in refs:
            return True
        return any(_mentions(value, refs) for value in node.values())
    if isinstance(node, list):
        return any(_mentions(value, refs) for value in node)
    return False


def install_problem_documentation(app: FastAPI) -> None:
    """Make `app.openapi()` (and `/openapi.json`) document every error response as a problem document."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
