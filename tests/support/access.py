"""Reading a service's access policies back from its OpenAPI document, for the table-driven access tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete"})


def documented_operations(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every operation of the document by `METHOD /path`."""
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def public_operations(document: Mapping[str, Any]) -> set[str]:
    return {
        name
        for name, operation in documented_operations(document).items()
        if operation.get("x-mitra-access", {}).get("public")
    }


def assert_policies_match(document: Mapping[str, Any], allowed_by_table: Mapping[str, Iterable[str]]) -> None:
    """The table names exactly the document's guarded operations, each with the roles its policy lets in, and each
    documents its 403."""
    operations = documented_operations(document)
    guarded = {name: operation for name, operation in operations.items() if name not in public_operations(document)}
    assert sorted(set(guarded) - set(allowed_by_table)) == [], "operations without a row in the table"
    assert sorted(set(allowed_by_table) - set(guarded)) == [], "rows in the table for operations that no longer exist"
    for name, operation in sorted(guarded.items()):
        roles = operation.get("x-mitra-access", {}).get("roles")
        assert roles, f"{name} declares no role"
        allowed = set(allowed_by_table[name])
        assert set(roles) == allowed, f"{name}: the document allows {sorted(roles)}, the table {sorted(allowed)}"
        assert "403" in operation["responses"], name
