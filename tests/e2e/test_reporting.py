"""Reporting as its users use it: lists as files (text never read as a formula), stories from an NGO's draft to their
publication by a regional office."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from support import eventually
from support.services import RunningSystem
from support.subscriber import OutsideSubscriber
from support.tokens import as_role

pytestmark = pytest.mark.e2e
STORY_PUBLISHED = "reporting.story.published"


async def test_organization_lists_come_as_json_csv_and_xlsx(system: RunningSystem) -> None:
    suffix = uuid.uuid4().hex[:6]
    names = [f"Rikolto {suffix} {n}" for n in range(3)]
    formula = f'=HYPERLINK("http://evil.example/{suffix}","Rikolto")'
    names.append(formula)  # a name a spreadsheet program must show, not run
    async with httpx.AsyncClient(timeout=10, headers=as_role("tpoa")) as client:
        for name in names:
            created = await client.post(
                f"{system.url('registry')}/organizations",
                json={"legal_name": name, "country_of_origin": "BE", "focus_areas": ["poverty"]},
            )
            assert created.status_code == 201, created.text
        url = f"{system.url('reporting')}/organizations"

        async def listed() -> dict[str, Any] | None:
            page = (await client.get(url, params={"country": "be", "limit": 1000})).json()
            found = {item["legal_name"] for item in page["items"]}
            return page if set(names) <= found else None

        page = await eventually(listed, description="reporting listing the new NGOs")
        expected = {item["legal_name"] for item in page["items"]}

        as_csv = await client.get(url, params={"country": "BE", "limit": 1000, "format": "csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert {row["Nama / Legal name"] for row in rows} == (expected - {formula}) | {"'" + formula}
        assert {row["Negara asal / Country"] for row in rows} == {"BE"}

        as_xlsx = await client.get(url, params={"country": "BE", "limit": 1000, "format": "xlsx"})
        assert as_xlsx.headers["content-disposition"] == 'attachment; filename="organizations.xlsx"'
        sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
        assert sheet is not None
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][1] == "Nama / Legal name"
        assert {row[1] for row in values[1:]} == expected
        assert len(values) == page["total"] + 1
        [cell] = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == formula]
        assert cell.data_type == "s"  # stored as text, not as a formula

        bad = await client.get(url, params={"format": "pdf"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "query.format"


async def test_a_story_is_drafted_by_an_ngo_and_published_by_its_region(system: RunningSystem) -> None:
    organization_id = uuid.uuid4()
    draft = {
        "title": "Desa tangguh bencana di Kota Semarang",
        "body": "Bersama BPBD, warga memetakan risiko banjir.\n\nLanjutan cerita.",
        "organization_id": str(organization_id),
        "region_code": "3374",
        "story_date": "2026-08-17",
        "media": ["https://dokumen.example.go.id/kisah/semarang-1.jpg"],
    }
    ngo = as_role("ngo", subject="staf@ormas", organization_id=organization_id)
    province = as_role("region", subject="humas@jateng", region_code="33")  # covers Kota Semarang (3374)
    async with (
        OutsideSubscriber(system.namespace, [STORY_PUBLISHED]) as subscriber,
        httpx.AsyncClient(timeout=10) as client,
    ):
        base = f"{system.url('reporting')}/stories"
        invalid = await client.post(
            base, json={**draft, "region_code": "Semarang", "story_date": "yesterday"}, headers=ngo
        )
        assert invalid.status_code == 422
        assert {e["field"] for e in invalid.json()["errors"]} == {"body.region_code", "body.story_date"}
        someone_else = await client.post(base, json={**draft, "organization_id": str(uuid.uuid4())}, headers=ngo)
        assert someone_else.status_code == 403

        created = await client.post(base, json=draft, headers=ngo)
        assert created.status_code == 201
        story = created.json()
        assert (story["status"], story["created_by"], created.headers["ETag"]) == ("draft", "staf@ormas", '"1"')
        url = f"{base}/{story['id']}"
        # Another region's office does not even see the draft.
        elsewhere = as_role("region", subject="humas@bali", region_code="51")
        assert (await client.get(url, headers=elsewhere)).status_code == 404

        assert (await client.put(url, json={**draft, "title": "Tanpa If-Match"}, headers=ngo)).status_code == 428
        revised = await client.put(
            url, json={**draft, "title": "Kampung siaga bencana"}, headers={**ngo, "If-Match": '"1"'}
        )
        assert revised.status_code == 200
        assert revised.headers["ETag"] == '"2"'
        # An NGO never decides what is disseminated.
        assert (await client.post(f"{url}/publish", headers={**ngo, "If-Match": '"2"'})).status_code == 403
        stale = await client.post(f"{url}/publish", headers={**province, "If-Match": '"1"'})
        assert stale.status_code == 412

        published = await client.post(f"{url}/publish", headers={**province, "If-Match": '"2"'})
        assert published.status_code == 200
        assert published.json()["status"] == "published"
        again = await client.post(f"{url}/publish", headers={**province, "If-Match": published.headers["ETag"]})
        assert again.status_code == 409

        # Published, it is for everyone: even the other region's office lists it.
        listed = (await client.get(base, params={"status": "published", "region_code": "33"}, headers=elsewhere)).json()
        assert story["id"] in {item["id"] for item in listed["items"]}

        body = await subscriber.wait_for(STORY_PUBLISHED, where=lambda e: e["subject"] == story["id"])
        assert body["type"] == "id.go.mitra.reporting.story.published.v1"
        assert body["data"]["title"] == "Kampung siaga bencana"
        assert body["data"]["summary"] == "Bersama BPBD, warga memetakan risiko banjir."
        assert body["data"]["region_code"] == "3374"
        assert body["data"]["published_by"] == "humas@jateng"
        assert body["correlationid"] == published.headers["X-Correlation-ID"]
        assert len(subscriber.of(STORY_PUBLISHED)) == 1
