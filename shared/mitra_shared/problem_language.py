"""Problem documents in the language the request prefers: `Accept-Language: id` (q-values honoured) gets the
title, the detail and each `errors[].reason` in Bahasa Indonesia, from the catalog in `mitra_shared.problem_texts`;
anything else gets English. Fields, lines, status and type are never translated. Every problem document says its
language (`Content-Language`) and that it depends on the header (`Vary: Accept-Language`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from mitra_shared.problem_texts import Language, in_language, problem_language

PROBLEM_JSON = "application/problem+json"


class ProblemResponse(JSONResponse):
    """A problem document (its JSON members), translated when it is sent: the language is read from the scope,
    since the middlewares that answer before routing (the body limit, unhandled errors) hold no `Request`."""

    media_type = PROBLEM_JSON

    def __init__(self, problem: Mapping[str, Any], status_code: int, headers: Mapping[str, str] | None = None) -> None:
        self.problem = dict(problem)
        super().__init__(self.problem, status_code=status_code, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        language = problem_language(Headers(scope=scope).get("accept-language"))
        if language != "en":
            self.body = self.render(localized(self.problem, language))
            self.headers["content-length"] = str(len(self.body))
        self.headers["Content-Language"] = language
        vary = self.headers.get("vary")
        if not vary:
            self.headers["Vary"] = "Accept-Language"
        elif "accept-language" not in vary.lower():
            self.headers["Vary"] = f"{vary}, Accept-Language"
        await super().__call__(scope, receive, send)


def localized(problem: Mapping[str, Any], language: Language) -> dict[str, Any]:
    """The problem document's members in that language: title, detail and each reason the catalog translates."""
    found = dict(problem)
    if language == "en":
        return found
    errors = problem.get("errors")
    if isinstance(errors, list) and errors:
        translated = [
            {**error, "reason": in_language(str(error.get("reason", "")), language)}
            if isinstance(error, dict)
            else error
            for error in errors
        ]
        found["errors"] = translated
    detail = problem.get("detail")
    if isinstance(detail, str):
        # A detail that lists each field's problem (validation, readiness) is listed again from the translations.
        if isinstance(errors, list) and errors and detail == joined(errors):
            found["detail"] = joined(found["errors"])
        else:
            found["detail"] = in_language(detail, language)
    if isinstance(problem.get("title"), str):
        found["title"] = in_language(problem["title"], language)
    return found


def joined(errors: Sequence[Any]) -> str:
    """The detail of a problem with several fields: `field: reason; field: reason`."""
    return "; ".join(f"{_member(error, 'field')}: {_member(error, 'reason')}" for error in errors)


def _member(error: Any, name: str) -> str:
    return str(error.get(name) if isinstance(error, Mapping) else getattr(error, name, ""))
