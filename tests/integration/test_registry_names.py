"""Control characters in the register's names, through the HTTP API on the real PostgreSQL: every name field refuses
C0 controls (tab and line breaks too), DEL and C1 controls with 422 naming the field, and nothing is written."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

pytestmark = pytest.mark.integration

# NUL, a tab, a line feed (also at the end, where stripping would have hidden it), ESC, DEL, and two C1 controls.
CONTROLS = ["Plan\x00 International", "Plan\tInternational", "Plan International\n", "Plan\x1b[31m", "Plan\x7f",
            "Plan\x85International", "Plan\x9bInternational"]  # fmt: skip
FINE = "Plan Internätional – Indonesia"  # letters beyond ASCII and punctuation are names too


async def written(pool: asyncpg.Pool) -> dict[str, int]:
    tables = ("organizations", "foreign_staff_assignments", "partners", "focus_areas", "outbox")
    return {table: int(await pool.fetchval(f"SELECT count(*) FROM {table}")) for table in tables}  # noqa: S608


def fields_of(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {error["field"] for error in response.json()["errors"]}


async def created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def active_ngo(client: httpx.AsyncClient) -> dict[str, Any]:
    organization = await created(client, "/organizations", {"legal_name": "SNV", "country_of_origin": "NL"})
    for status in ("registered", "active"):
        response = await client.post(
            f"/organizations/{organization['id']}/status",
            json={"status": status, "reason": "for the test"},
            headers={"If-Match": f'"{organization["version"]}"'},
        )
        organization = response.json()
    return organization


async def test_every_name_field_refuses_control_characters(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool, subtests: Any
) -> None:
    client = registry_client
    ngo = await active_ngo(client)
    partner = await created(client, "/partners", {"kind": "ministry", "code": "KEMENSOS", "name": "Kemensos"})
    expert = {
        "full_name": "Maria Jansen",
        "nationality": "NL",
        "role": "Adviser",
        "starts_on": "2026-06-01",
        "ends_on": "2027-05-31",
        "passport_number": "NX4K81P02",
    }
    contact = {"name": "Biro Kerja Sama", "email": "kerjasama@kemensos.go.id"}
    # (method, path, the body with {} where the name goes, the field the refusal names)
    cases: list[tuple[str, str, Any, str]] = [
        ("POST", "/organizations", {"legal_name": {}, "country_of_origin": "GB"}, "body.legal_name"),
        ("POST", "/organizations", {"legal_name": "X Y", "country_of_origin": "GB", "acronym": {}}, "body.acronym"),
        (
            "POST",
            "/organizations",
            {"legal_name": "X Y", "country_of_origin": "GB", "representative_name": {}},
            "body.representative_name",
        ),
        ("PATCH", f"/organizations/{ngo['id']}", {"legal_name": {}}, "body.legal_name"),
        ("PATCH", f"/organizations/{ngo['id']}", {"acronym": {}}, "body.acronym"),
        ("PATCH", f"/organizations/{ngo['id']}", {"representative_name": {}}, "body.representative_name"),
        ("POST", "/focus-areas", {"code": "new_area", "name_id": {}, "name_en": "New"}, "body.name_id"),
        ("POST", "/focus-areas", {"code": "new_area", "name_id": "Baru", "name_en": {}}, "body.name_en"),
        ("POST", f"/organizations/{ngo['id']}/foreign-staff", {**expert, "full_name": {}}, "body.full_name"),
        ("POST", f"/organizations/{ngo['id']}/foreign-staff", {**expert, "role": {}}, "body.role"),
        ("POST", "/partners", {"kind": "ministry", "code": "KEMLU", "name": {}}, "body.name"),
        (
            "POST",
            "/partners",
            {"kind": "ministry", "code": "KEMLU", "name": "Kemlu", "contacts": [{**contact, "name": {}}]},
            "body.contacts.0.name",
        ),
        ("PATCH", f"/partners/{partner['id']}", {"name": {}}, "body.name"),
        (
            "PATCH",
            f"/partners/{partner['id']}",
            {"contacts": [contact, {**contact, "name": {}}]},
            "body.contacts.1.name",
        ),
    ]
    before = await written(registry_pool)
    for method, path, template, field in cases:
        for value in CONTROLS:
            body = _fill(template, value)
            with subtests.test(field=field, path=path, value=value):
                headers = {"If-Match": '"1"'} if method == "PATCH" else {}
                if path.startswith("/organizations/") and method == "PATCH":
                    headers = {"If-Match": f'"{ngo["version"]}"'}
                response = await client.request(method, path, json=body, headers=headers)
                assert fields_of(response) == {field}
                assert "control characters" in response.text
    assert await written(registry_pool) == before
    # The same fields take names with letters beyond ASCII.
    fine = await client.patch(
        f"/organizations/{ngo['id']}", json={"legal_name": FINE}, headers={"If-Match": f'"{ngo["version"]}"'}
    )
    assert (fine.status_code, fine.json()["legal_name"]) == (200, FINE)


async def test_a_region_file_with_a_control_character_in_a_name_is_refused_whole(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    content = "code,name\n11,ACEH\n33,JAWA\x0bTENGAH\n34,DI YOGYAKARTA\x85\n".encode()
    response = await registry_client.post(
        "/partners/regions/import", params={"level": "provinces"}, content=content, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 422, response.text
    reasons = [error["reason"] for error in response.json()["errors"]]
    assert len(reasons) == 2
    assert "line 3" in reasons[0]
    assert "U+000B" in reasons[0]
    assert "line 4" in reasons[1]
    assert "U+0085" in reasons[1]
    assert int(await registry_pool.fetchval("SELECT count(*) FROM partners")) == 0


def _fill(template: Any, value: str) -> Any:
    """The template with the name put where it holds `{}`."""
    if template == {}:
        return value
    if isinstance(template, dict):
        return {key: _fill(item, value) for key, item in template.items()}
    if isinstance(template, list):
        return [_fill(item, value) for item in template]
    return template
