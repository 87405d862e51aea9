"""The one family of refusals: raised by domain rules and use cases, pure (no HTTP, no broker).

Each names what was wrong (`field`, e.g. `body.legal_name`, `header.if-match`, or None for the whole request) and
why. The HTTP layer turns them into problem documents in one place (`mitra_shared.http`), the consumer into
dead-letter reasons in one place (`mitra_shared.inbox`): a rule that refuses an event will refuse it again, so it is
not retried.
"""

from __future__ import annotations

from collections.abc import Sequence


class Refused(Exception):
    """A change or a request that the rules refuse; subclasses say how."""

    def __init__(self, field: str | None, reason: str, *, problems: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.problems = tuple(problems)

    def field_problems(self) -> list[tuple[str, str]]:
        """Each (field, reason) to show: the several problems a refusal names (every bad line of a file, say),
        else its own field and reason."""
        if self.problems:
            return list(self.problems)
        return [(self.field, self.reason)] if self.field else []

    def describe(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class RuleBroken(Refused):
    """The request itself breaks a rule (an unknown code, a date out of range): it would be refused in any state."""


class Conflict(Refused):
    """The request conflicts with the current state (a step out of order, a duplicate)."""


class NotFound(Refused):
    """What the request names does not exist (`field` names where it was named, e.g. `path.organization_id`)."""


class Forbidden(Refused):
    """The caller's role or scope does not allow this (HTTP 403); the reason says which rule."""


class FileProblems(Refused):
    """A file to import refused whole: each bad row named by its line (the header is line 1), its column (the
    column's key, e.g. `legal_name`, or None for the whole row) and why; nothing of the file was imported."""

    def __init__(self, what: str, lines: Sequence[tuple[int, str | None, str]]) -> None:
        self.what = what
        self.lines = tuple(lines)
        first_line, first_column, first_reason = self.lines[0]
        where = f"line {first_line}" + (f", {first_column}" if first_column else "")
        more = f" (and {len(self.lines) - 1} more)" if len(self.lines) > 1 else ""
        super().__init__(
            "file",
            f"{what}, {where}: {first_reason}{more}",
            problems=[(f"file.{column}" if column else "file", reason) for _, column, reason in self.lines],
        )


class FileRejected(FileProblems, RuleBroken):
    """A file with rows that break the rules (HTTP 422)."""


class FileForbidden(FileProblems, Forbidden):
    """A file whose only bad rows are records the caller may not import (another ministry's MSPs: HTTP 403)."""


class StaleVersion(Refused):
    """The change was based on a version that is no longer the current one (HTTP 412)."""


class VersionRequired(Refused):
    """A change to a versioned record that names no version it was based on (HTTP 428)."""


class ContentTooLarge(Refused):
    """The request's content is larger than the limit for it (HTTP 413; the connection is closed, as the rest of the
    body is not read)."""


class UnsupportedContent(Refused):
    """The content is of a type that is not accepted here (HTTP 415): a file that is not one of the allowed kinds,
    judged from its bytes, or a request body of another media type."""


class StoredDocumentCorrupted(Exception):
    """A stored file no longer matches what was recorded when it was stored (its SHA-256 or size differs, or it is
    gone): it is not served (HTTP 500). Not a refusal: the request was fine, the storage is not. Raised by
    `mitra_shared.documents.serving` (and importable from there)."""

    title = "the stored file failed its integrity check and is not served"

    def __init__(self, document_id: object, key: str, reason: str) -> None:
        super().__init__(f"document {document_id} ({key}): {reason}")
        self.document_id = document_id
        self.key = key
        self.reason = reason
