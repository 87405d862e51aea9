"""A ministry's spreadsheet of NGOs brought into Mitra, with the services as processes: a bad row refuses the file
whole, the corrected file enters every NGO with the usual events marked `imported`, a second import changes
nothing, and nobody is mailed about records that predate Mitra (their webhooks are delivered)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from support.polling import eventually
from support.services import RunningSystem
from support.subscriber import Event, OutsideSubscriber
from support.tokens import as_role
from support.webhooks import WebhookReceiver, webhook_receiver

from mitra_shared.tabular import XLSX_TYPE

pytestmark = pytest.mark.e2e
TPOA = as_role("tpoa", subject="tpoa-imports-e2e")
ADMIN = as_role("admin", subject="admin-imports-e2e")
XLSX = {"Content-Type": XLSX_TYPE}
REGISTERED = "registry.organization.registered"


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with webhook_receiver() as hooks:
        yield hooks


@pytest.fixture
async def outside(system: RunningSystem) -> AsyncIterator[OutsideSubscriber]:
    async with OutsideSubscriber(system.namespace, ["registry.organization.*"]) as subscriber:
        yield subscriber


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "organisasi"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ngos_file(suffix: str, third_country: str) -> bytes:
    return workbook(
        [
            ["nama_resmi", "negara_asal", "singkatan", "bidang_fokus", "status"],
            [f"Plan International {suffix}", "GB", "PLAN", "child_welfare", "active"],
            [f"Winrock International {suffix}", third_country, None, "poverty", None],
            [f"Helen Keller Intl {suffix}", "US", "HKI", None, "registered"],
        ]
    )


async def test_an_xlsx_of_ngos_is_refused_whole_then_imported_once_without_mail(
    system: RunningSystem, outside: OutsideSubscriber, receiver: WebhookReceiver
) -> None:
    suffix = uuid.uuid4().hex[:8]
    contact_email = f"sekretariat-{suffix}@kemlu.example"
    registry, notifications = system.url("registry"), system.url("notifications")
    async with httpx.AsyncClient(timeout=20, headers=TPOA) as client:
        # TPOA's secretariat hears of new NGOs by e-mail, inbox and webhook (the routing rules' channels).
        tpoa = await client.post(
            f"{registry}/partners",
            json={
                "kind": "tpoa",
                "code": f"TPOA-{suffix}",
                "name": "Tim Perizinan Ormas Asing",
                "contacts": [{"name": "Sekretariat", "email": contact_email, "webhook_url": receiver.url}],
            },
        )
        assert tpoa.status_code == 201, tpoa.text

        async def learned() -> dict[str, Any] | None:
            found = (await client.get(f"{notifications}/recipients", params={"role": "tpoa"}, headers=ADMIN)).json()
            return next((r for r in found if r["email"] == contact_email), None)

        recipient = await eventually(learned, description="notifications learning TPOA's contact")

        async def of_the_file() -> list[dict[str, Any]]:
            listed = await client.get(f"{registry}/organizations", params={"q": suffix})
            assert listed.status_code == 200, listed.text
            return list(listed.json()["items"])

        # Line 3 names Indonesia as the country of origin of a foreign NGO: the whole file is refused.
        bad = await client.post(f"{registry}/imports/organizations", content=ngos_file(suffix, "ID"), headers=XLSX)
        assert bad.status_code == 422, bad.text
        assert [(e["line"], e["field"]) for e in bad.json()["errors"]] == [(3, "file.country_of_origin")]
        assert await of_the_file() == []

        corrected = ngos_file(suffix, "US")
        dry = await client.post(
            f"{registry}/imports/organizations", params={"dry_run": "true"}, content=corrected, headers=XLSX
        )
        assert dry.status_code == 200, dry.text
        assert dry.json() == {
            "kind": "organizations", "dry_run": True, "rows": 3, "added": 3, "updated": 0, "unchanged": 0,
        }  # fmt: skip
        assert await of_the_file() == []

        done = await client.post(f"{registry}/imports/organizations", content=corrected, headers=XLSX)
        assert done.status_code == 200, done.text
        assert (done.json()["added"], done.json()["dry_run"]) == (3, False)
        names = {ngo["legal_name"] for ngo in await of_the_file()}
        assert len(names) == 3

        def of_file(event: Event) -> bool:
            return bool(event["data"]["legal_name"] in names)

        registered = await outside.wait_for_count(REGISTERED, 3, of_file)
        assert all(event["data"]["imported"] is True for event in registered)
        assert {event["data"]["status"] for event in registered} == {"active", "registered"}

        again = await client.post(f"{registry}/imports/organizations", content=corrected, headers=XLSX)
        assert again.status_code == 200, again.text
        assert (again.json()["added"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 3)

        # A marker published after the second import: once it has arrived, anything the import published would have.
        marker_name = f"Marker Foundation {suffix}"
        marker = await client.post(
            f"{registry}/organizations", json={"legal_name": marker_name, "country_of_origin": "NL"}
        )
        assert marker.status_code == 201, marker.text
        marker_event = await outside.wait_for(REGISTERED, lambda event: event["subject"] == marker.json()["id"])
        assert "imported" not in marker_event["data"] or marker_event["data"]["imported"] is False
        assert len(outside.of(REGISTERED, of_file)) == 3  # the second import published nothing
        assert outside.of("registry.organization.updated", of_file) == []

        # Notifications consumed every one of them: a webhook for each (a subscription is to facts) ...
        expected = sorted([*names, marker_name])

        async def four_hooks() -> list[str]:
            events = [json.loads(body)["data"]["event"] for _, body in receiver.received]
            hooked = sorted(e["data"]["legal_name"] for e in events if e["type"].endswith("organization.registered.v1"))
            return hooked if hooked == expected else []

        await eventually(four_hooks, description="a webhook for each NGO")
        # ... but the mail and the inbox entry for the marker only.
        [mail] = await eventually(lambda: _mail(system, contact_email), description="the marker's e-mail")
        assert marker_name in mail["Subject"]
        inbox = (await client.get(f"{notifications}/recipients/{recipient['id']}/inbox")).json()
        assert [item["subject"] for item in inbox["items"]] == [mail["Subject"]]
        assert len(system.mailbox.to(contact_email)) == 1
        assert not [m for m in system.mailbox.messages if any(name in str(m["Subject"]) for name in names)]


async def _mail(system: RunningSystem, address: str) -> list[Any]:
    return system.mailbox.to(address)
