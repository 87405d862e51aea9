"""Government partners and permits, end to end: an outside system subscribed to `<ns>.events` sees each of
registry's partner and permit events with its documented payload, the scheduler's included (with real dates)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import BaseModel
from support.services import RunningSystem
from support.subscriber import OutsideSubscriber
from support.tokens import as_role

from mitra_shared.contracts.registry import (
    PartnerRegistered,
    PartnerUpdated,
    PermitExpired,
    PermitExpiring,
    PermitExtended,
    PermitGranted,
)
from mitra_shared.events import EventData

pytestmark = pytest.mark.e2e


@pytest.fixture
async def subscriber(system: RunningSystem) -> AsyncIterator[OutsideSubscriber]:
    """An outside government system: its own queue on `<ns>.events`, bound to the registry's events."""
    async with OutsideSubscriber(system.namespace, ["registry.#"]) as outside:
        yield outside


async def received(subscriber: OutsideSubscriber, model: type[EventData], subject: str) -> tuple[dict[str, Any], Any]:
    """The one event of this type about this subject: its envelope, and its data read with the contract."""
    [body] = await subscriber.wait_for_count(model.kind.routing_key, 1, lambda event: event["subject"] == subject)
    message = subscriber.message(body)
    assert body["type"] == model.kind.type
    assert body["source"] == "/mitra/registry"
    assert message.headers["cloudEvents_type"] == model.kind.type
    assert message.content_type == "application/cloudevents+json"
    return body, model.model_validate(body["data"])


def jakarta_today() -> date:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


async def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def same(model: BaseModel, expected: dict[str, Any]) -> None:
    assert {name: getattr(model, name) for name in expected} == expected


async def test_partner_events_carry_codes_hierarchy_and_contacts(
    system: RunningSystem, subscriber: OutsideSubscriber
) -> None:
    registry = system.url("registry")
    contact = {
        "name": "Kesbangpol Kota Semarang",
        "email": "kesbangpol@semarangkota.go.id",
        "webhook_url": "https://siap.semarangkota.go.id/hooks/mitra",
        "language": "id",
    }
    async with httpx.AsyncClient(base_url=registry, headers=as_role("tpoa"), timeout=10) as client:
        province = await created(
            await client.post("/partners", json={"kind": "province", "code": "33", "name": "Jawa Tengah"})
        )
        regency = await created(
            await client.post(
                "/partners",
                json={
                    "kind": "regency",
                    "code": "3374",
                    "name": "Kota Semarang",
                    "parent_code": "33",
                    "contacts": [contact],
                },
            )
        )
        english = contact | {"language": "en", "webhook_url": None}
        changed = await client.patch(
            f"/partners/{regency['id']}", json={"contacts": [english], "active": False}, headers={"If-Match": '"1"'}
        )
        assert changed.status_code == 200, changed.text

    _, province_registered = await received(subscriber, PartnerRegistered, province["id"])
    same(province_registered, {"partner_kind": "province", "code": "33", "name": "Jawa Tengah", "parent_code": None})
    _, registered = await received(subscriber, PartnerRegistered, regency["id"])
    same(registered, {"partner_kind": "regency", "code": "3374", "parent_code": "33", "version": 1})
    assert [c.model_dump() for c in registered.contacts] == [contact]
    _, updated = await received(subscriber, PartnerUpdated, regency["id"])
    same(updated, {"partner_kind": "regency", "code": "3374", "name": "Kota Semarang", "active": False, "version": 2})
    assert [c.model_dump() for c in updated.contacts] == [english]


async def test_permit_events_from_grant_to_reminder_extension_and_expiry(
    system: RunningSystem, subscriber: OutsideSubscriber
) -> None:
    registry = system.url("registry")
    today = jakarta_today()
    suffix = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=registry, headers=as_role("tpoa"), timeout=10) as client:
        ngo = await created(
            await client.post(
                "/organizations", json={"legal_name": f"Swisscontact {suffix}", "country_of_origin": "CH"}
            )
        )
        # Ends in 10 days: inside the 30-day window, so the scheduler reminds at once (the grant wakes it).
        ending_soon = await created(
            await client.post(
                f"/organizations/{ngo['id']}/permits",
                json={
                    "permit_type": "principle",
                    "number": f"IP-{suffix}",
                    "issued_on": (today - timedelta(days=700)).isoformat(),
                    "valid_until": (today + timedelta(days=10)).isoformat(),
                },
            )
        )
        msp_id = str(uuid.uuid4())
        operating = await created(
            await client.post(
                f"/organizations/{ngo['id']}/permits",
                json={
                    "permit_type": "operating",
                    "number": f"IO-{suffix}",
                    "issued_on": (today - timedelta(days=30)).isoformat(),
                    "valid_until": (today + timedelta(days=5)).isoformat(),
                    "principle_permit_id": ending_soon["id"],
                    "msp_id": msp_id,
                },
            )
        )
        # Recorded after it ended yesterday: granted, then marked expired by the scheduler.
        ended = await created(
            await client.post(
                f"/organizations/{ngo['id']}/permits",
                json={
                    "permit_type": "principle",
                    "number": f"IP-OLD-{suffix}",
                    "issued_on": (today - timedelta(days=800)).isoformat(),
                    "valid_until": (today - timedelta(days=1)).isoformat(),
                },
            )
        )

        _, granted = await received(subscriber, PermitGranted, ending_soon["id"])
        same(
            granted,
            {
                "organization_name": f"Swisscontact {suffix}",
                "permit_type": "principle",
                "number": f"IP-{suffix}",
                "valid_until": today + timedelta(days=10),
                "principle_permit_id": None,
            },
        )
        _, granted_operating = await received(subscriber, PermitGranted, operating["id"])
        same(granted_operating, {"permit_type": "operating", "msp_id": uuid.UUID(msp_id)})
        assert str(granted_operating.principle_permit_id) == ending_soon["id"]

        _, expiring = await received(subscriber, PermitExpiring, ending_soon["id"])
        same(expiring, {"days_before": 30, "valid_until": today + timedelta(days=10), "number": f"IP-{suffix}"})
        _, operating_expiring = await received(subscriber, PermitExpiring, operating["id"])
        same(operating_expiring, {"days_before": 30, "permit_type": "operating"})

        _, expired = await received(subscriber, PermitExpired, ended["id"])
        same(expired, {"valid_until": today - timedelta(days=1), "organization_name": f"Swisscontact {suffix}"})
        assert (await client.get(f"/permits/{ended['id']}")).json()["status"] == "expired"

        new_end = today + timedelta(days=10 + 365)
        extension = await created(
            await client.post(f"/permits/{ending_soon['id']}/extensions", json={"valid_until": new_end.isoformat()})
        )
        assert extension["requested_late"] is True
        _, extended = await received(subscriber, PermitExtended, ending_soon["id"])
        same(
            extended,
            {
                "previous_valid_until": today + timedelta(days=10),
                "valid_until": new_end,
                "requested_on": today,
                "requested_late": True,
                "permit_type": "principle",
            },
        )
