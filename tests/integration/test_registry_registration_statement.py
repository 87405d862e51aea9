"""A registration writes the NGO, its first status-history entry and the members' review in one statement
(`register_organization`): all of them with their events in order, or, when it is refused, none of them."""

from __future__ import annotations

from typing import Any

import pytest
from test_registry_organizations_harness import (  # noqa: F401 - fixtures
    Registry,
    migrated_registry_template,
    registry_database,
    registry_fixture,
)
from test_registry_review import ANSWER_BY, MEMBERS, reviewed_registry  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


async def everything_written(registry: Registry) -> dict[str, Any]:
    return {
        **await registry.written(),
        "reviews": await registry.pool.fetchval("SELECT count(*) FROM application_reviews"),
    }


async def test_a_registration_writes_its_rows_and_events_together(reviewed: Registry) -> None:
    before = await everything_written(reviewed)
    body = {"legal_name": "Yayasan Satu Statement", "country_of_origin": "NL", "focus_areas": ["poverty", "disaster"]}
    response = await reviewed.post("/organizations", body)
    assert response.status_code == 201, response.text
    organization = response.json()
    after = await everything_written(reviewed)
    assert after["organizations"] == before["organizations"] + 1
    assert after["organization_status_changes"] == before["organization_status_changes"] + 1
    assert after["reviews"] == before["reviews"] + 1
    assert after["outbox"] == before["outbox"] + 4
    history = await reviewed.get(f"/organizations/{organization['id']}/status-history")
    assert [(entry["previous_status"], entry["status"], entry["version"]) for entry in history.json()] == [
        (None, "applicant", 1)
    ]
    review = await reviewed.pool.fetchrow(
        "SELECT members, answer_by, requested_by FROM application_reviews WHERE organization_id = $1",
        organization["id"],
    )
    assert review is not None
    assert list(review["members"]) == MEMBERS
    assert review["answer_by"] == ANSWER_BY
    rows = await reviewed.pool.fetch("SELECT routing_key FROM outbox ORDER BY seq")
    assert [row["routing_key"] for row in rows][-4:] == [
        "registry.organization.registered",
        "audit.registry.recorded",
        "registry.application.review_requested",
        "audit.registry.recorded",
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"focus_areas": ["poverty", "astrology"]}, 422, "body.focus_areas"),
        ({"legal_name": "Yayasan Sudah Ada"}, 409, "body.legal_name"),
    ],
)
async def test_a_refused_registration_writes_nothing(
    reviewed: Registry, body: dict[str, Any], status: int, field: str
) -> None:
    await reviewed.register(legal_name="Yayasan Sudah Ada", country_of_origin="GB")
    before = await everything_written(reviewed)
    response = await reviewed.post("/organizations", {"legal_name": "Yayasan Baru", "country_of_origin": "GB", **body})
    assert response.status_code == status, response.text
    assert field in {error["field"] for error in response.json()["errors"]}
    if status == 422:
        assert "astrology" in response.json()["detail"]
        assert "poverty" not in response.json()["detail"]
    assert await everything_written(reviewed) == before
