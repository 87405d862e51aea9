"""Registering a foreign NGO, end to end: registry → event → notifications e-mails TPOA → reporting counts it."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import httpx
import pytest
from support import AMQP_URL, auth_headers, eventually
from support.paths import REPO
from support.services import RunningSystem
from support.subscriber import OutsideSubscriber
from support.tokens import as_role

from mitra_shared.contracts.audit import AuditRecorded

pytestmark = pytest.mark.e2e


@pytest.fixture
async def subscriber(system: RunningSystem) -> AsyncIterator[OutsideSubscriber]:
    """An outside government system: its own queue on `<ns>.events`, bound to everything."""
    async with OutsideSubscriber(system.namespace, ["#"]) as outside:
        yield outside


@pytest.fixture
async def audit_tap(system: RunningSystem) -> AsyncIterator[OutsideSubscriber]:
    """A queue of the test's own on the registry's audit route (reporting's to consume; outside systems' users may
    not bind it)."""
    async with OutsideSubscriber(system.namespace, ["audit.registry.#"]) as tap:
        yield tap


async def add_recipient(client: httpx.AsyncClient, system: RunningSystem, **fields: str) -> dict[str, Any]:
    response = await client.post(f"{system.url('notifications')}/recipients", json=fields, headers=as_role("admin"))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_registering_an_ngo_reaches_tpoa_by_email_and_reporting_counts_it(
    system: RunningSystem, subscriber: OutsideSubscriber, audit_tap: OutsideSubscriber
) -> None:
    suffix = uuid.uuid4().hex[:8]
    tpoa_id = f"tpoa-{suffix}@kemlu.example"
    tpoa_en = f"tpoa-en-{suffix}@kemlu.example"
    async with httpx.AsyncClient(timeout=10) as client:
        await add_recipient(client, system, name="Sekretariat TPOA", role="tpoa", email=tpoa_id, language="id")
        await add_recipient(client, system, name="TPOA liaison", role="tpoa", email=tpoa_en, language="en")
        before = (await client.get(f"{system.url('reporting')}/summary", headers=as_role("tpoa"))).json()

        legal_name = f"Winrock International {suffix}"
        response = await client.post(
            f"{system.url('registry')}/organizations",
            json={
                "legal_name": legal_name,
                "acronym": "WI",
                "country_of_origin": "US",
                "focus_areas": ["poverty", "disaster"],
            },
            headers={**as_role("tpoa", subject=f"tpoa-{suffix}"), "X-Correlation-ID": f"corr-{suffix}"},
        )
        assert response.status_code == 201, response.text
        organization = response.json()
        assert response.headers["Location"] == f"/organizations/{organization['id']}"

        # A subscribing system sees the fact, with CloudEvents attributes in the body and in the headers.
        [body] = await subscriber.wait_for_count(
            "registry.organization.registered", 1, lambda event: event["data"]["legal_name"] == legal_name
        )
        message = subscriber.message(body)
        assert body["type"] == "id.go.mitra.registry.organization.registered.v1"
        assert body["source"] == "/mitra/registry"
        assert body["specversion"] == "1.0"
        assert body["subject"] == organization["id"]
        assert body["correlationid"] == f"corr-{suffix}"
        assert body["data"]["organization_id"] == organization["id"]
        assert body["data"]["country_of_origin"] == "US"
        assert body["data"]["status"] == "applicant"
        assert message.headers["cloudEvents_id"] == body["id"]
        assert message.headers["cloudEvents_type"] == body["type"]
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        assert message.content_type == "application/cloudevents+json"

        # The change's audit entry travels beside it: who registered which NGO, in which request, with its values.
        audited = await audit_tap.wait_for(
            "audit.registry.recorded", lambda event: event["data"]["object_id"] == organization["id"]
        )
        entry = AuditRecorded.model_validate(audited["data"]).model_dump(mode="json")  # on the wire, no None
        assert (entry["action"], entry["object_type"]) == ("organization.registered", "organization")
        assert entry["actor"] == {"subject": f"tpoa-{suffix}", "name": None, "role": "tpoa", "scope": {}}
        assert entry["request_id"] == audited["correlationid"] == f"corr-{suffix}"
        assert (entry["before"], entry["after"]) == (None, organization)

        # TPOA hears of it once, each recipient in its own language.
        indonesian = await eventually(lambda: _mail(system, tpoa_id), description="e-mail in Indonesian")
        english = await eventually(lambda: _mail(system, tpoa_en), description="e-mail in English")
        assert indonesian[0]["Subject"] == f"Ormas Asing baru terdaftar: {legal_name} (WI)"
        assert "Negara asal: US" in indonesian[0].get_body(("plain",)).get_content()
        assert " WIB" in indonesian[0].get_body(("plain",)).get_content()
        assert english[0]["Subject"] == f"New foreign NGO registered: {legal_name} (WI)"

        # Notifications tells subscribers that it delivered, and keeps the delivery log.
        delivered = await subscriber.wait_for_count(
            "notifications.notification.delivered", 2, lambda event: event["data"]["cause_event_id"] == body["id"]
        )
        assert {event["data"]["channel"] for event in delivered} == {"email"}
        log = (
            await client.get(
                f"{system.url('notifications')}/notifications",
                params={"event_id": body["id"]},
                headers=as_role("auditor"),
            )
        ).json()
        # An e-mail and an in-app inbox entry for each of the two TPOA recipients (the default routing rule).
        assert log["total"] == 4
        assert sorted(item["channel"] for item in log["items"]) == ["email", "email", "inbox", "inbox"]
        assert {item["status"] for item in log["items"]} == {"delivered"}
        emails = [item for item in log["items"] if item["channel"] == "email"]
        assert all(item["delivery_log"][0]["succeeded"] for item in emails)

        # Reporting counts it; agreements learned of it.
        async def counted() -> dict[str, Any] | None:
            summary = (await client.get(f"{system.url('reporting')}/summary", headers=as_role("tpoa"))).json()
            return summary if summary["organizations"]["total"] == before["organizations"]["total"] + 1 else None

        summary = await eventually(counted, description="reporting summary counting the NGO")
        assert {"key": "US", "count": _count(before, "by_country", "US") + 1} in summary["organizations"]["by_country"]

        async def known() -> bool:
            r = await client.get(
                f"{system.url('agreements')}/organizations/{organization['id']}", headers=as_role("tpoa")
            )
            return r.status_code == 200 and r.json()["legal_name"] == legal_name

        await eventually(known, description="agreements' copy of the NGO")

        # Only after every effect: the same event again changes nothing (one e-mail each, one count).
        assert len(_mail_now(system, tpoa_id)) == 1
        assert len(_mail_now(system, tpoa_en)) == 1


async def test_a_redelivered_event_has_no_second_effect(system: RunningSystem, subscriber: OutsideSubscriber) -> None:
    suffix = uuid.uuid4().hex[:8]
    tpoa = f"tpoa-dup-{suffix}@kemlu.example"
    async with httpx.AsyncClient(timeout=10) as client:
        await add_recipient(client, system, name="TPOA", role="tpoa", email=tpoa, language="id")
        response = await client.post(
            f"{system.url('registry')}/organizations",
            json={"legal_name": f"SNV {suffix}", "country_of_origin": "NL"},
            headers=as_role("tpoa"),
        )
        assert response.status_code == 201
        [registered] = await subscriber.wait_for_count(
            "registry.organization.registered", 1, lambda event: event["data"]["legal_name"] == f"SNV {suffix}"
        )
        original = subscriber.message(registered)
        event_type = registered["type"]
        await eventually(lambda: _mail(system, tpoa), description="first e-mail")
        await eventually(lambda: _reporting_total_at_least(client, system, 1), description="counted once")
        summary = (await client.get(f"{system.url('reporting')}/summary", headers=as_role("tpoa"))).json()
        duplicates_before = {
            name: await _consumed(system, name, event_type, "duplicate") for name in ("notifications", "reporting")
        }

        # The broker delivers the same event again (as after a lost acknowledgement).
        connection = await aio_pika.connect(AMQP_URL)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange(f"{system.namespace}.events", ensure=True)
            for _ in range(2):
                await exchange.publish(
                    aio_pika.Message(
                        original.body,
                        headers=original.headers,
                        content_type=original.content_type,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        message_id=original.message_id,
                    ),
                    routing_key=original.routing_key or "",
                )
        # Both consumers recognise the two copies as duplicates of what they applied...
        for name, before in duplicates_before.items():

            async def recognised(name: str = name, before: float = before) -> bool:
                return await _consumed(system, name, event_type, "duplicate") >= before + 2

            await eventually(recognised, description=f"{name} seeing two duplicates")
        # ...and nothing changed.
        again = (await client.get(f"{system.url('reporting')}/summary", headers=as_role("tpoa"))).json()
        assert again["organizations"]["total"] == summary["organizations"]["total"]
        assert len(_mail_now(system, tpoa)) == 1


async def test_every_endpoint_but_operations_needs_a_valid_token(system: RunningSystem) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for name in system.services:
            base = system.url(name)
            for path in ("/health/live", "/health/ready", "/openapi.json", "/asyncapi.json"):
                assert (await client.get(base + path)).status_code == 200, (name, path)
            # The metrics only on the metrics listener (MITRA_METRICS_PORT), never on the public port.
            assert (await client.get(base + "/metrics")).status_code == 404, name
            scraped = await client.get(system.metrics_url(name))
            assert scraped.status_code == 200, name
            assert "mitra_worker_last_pass_timestamp_seconds" in scraped.text, name
        url = f"{system.url('registry')}/organizations"
        missing = await client.get(url)
        assert missing.status_code == 401
        assert missing.headers["content-type"] == "application/problem+json"
        for bad in (
            auth_headers(role="tpoa", audience="another-system"),
            auth_headers(role="tpoa", issuer="someone-else"),
            auth_headers(role="tpoa", lifetime_seconds=-60),
            auth_headers(),  # a token that names no role
            {"Authorization": "Bearer not-a-jwt"},
        ):
            assert (await client.get(url, headers=bad)).status_code == 401
        assert (await client.get(url, headers=as_role("tpoa"))).status_code == 200


async def test_bad_input_is_refused_with_the_field_and_nothing_is_written(system: RunningSystem) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        url = f"{system.url('registry')}/organizations"
        before = (await client.get(url, headers=as_role("tpoa"))).json()["total"]
        response = await client.post(
            url,
            json={"legal_name": "X", "country_of_origin": "Indonesia", "focus_areas": ["child_welfare"]},
            headers=as_role("tpoa"),
        )
        assert response.status_code == 422
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert {e["field"] for e in problem["errors"]} == {"body.legal_name", "body.country_of_origin"}

        unknown_area = await client.post(
            url,
            json={"legal_name": "Rikolto International", "country_of_origin": "BE", "focus_areas": ["astrology"]},
            headers=as_role("tpoa"),
        )
        assert unknown_area.status_code == 422
        assert unknown_area.json()["errors"][0]["field"] == "body.focus_areas"
        assert (await client.get(url, headers=as_role("tpoa"))).json()["total"] == before

        name = f"ICCO Cooperation {uuid.uuid4().hex[:6]}"
        first = await client.post(url, json={"legal_name": name, "country_of_origin": "NL"}, headers=as_role("tpoa"))
        assert first.status_code == 201
        again = await client.post(
            url, json={"legal_name": f" {name.upper()} ", "country_of_origin": "nl"}, headers=as_role("tpoa")
        )
        assert again.status_code == 409
        assert again.json()["errors"][0]["field"] == "body.legal_name"


async def test_each_service_serves_the_committed_asyncapi_document(system: RunningSystem) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for name in system.services:
            # The test's own broker namespace stands where a deployment has the default `mitra`.
            text = (await client.get(f"{system.url(name)}/asyncapi.json")).text
            served = json.loads(text.replace(f"{system.namespace}.", "mitra."))
            committed = json.loads((REPO / "docs" / "asyncapi" / f"{name}.json").read_text())
            served["servers"] = committed["servers"] = None  # the server entry names this test's broker
            assert served == committed, f"docs/asyncapi/{name}.json is stale: run `make docs`"


async def _reporting_total_at_least(client: httpx.AsyncClient, system: RunningSystem, total: int) -> bool:
    summary = (await client.get(f"{system.url('reporting')}/summary", headers=as_role("tpoa"))).json()
    return bool(summary["organizations"]["total"] >= total)


def _mail_now(system: RunningSystem, address: str) -> list[Any]:
    return system.mailbox.to(address)


async def _mail(system: RunningSystem, address: str) -> list[Any]:
    return system.mailbox.to(address)


def _count(summary: dict[str, Any], section: str, key: str) -> int:
    return next((c["count"] for c in summary["organizations"][section] if c["key"] == key), 0)


async def _consumed(system: RunningSystem, service: str, event_type: str, outcome: str) -> float:
    """A service's own count of events by outcome, from its Prometheus metrics."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(system.metrics_url(service))).text
    needle = f'mitra_events_consumed_total{{event_type="{event_type}",outcome="{outcome}"}} '
    for line in text.splitlines():
        if line.startswith(needle):
            return float(line[len(needle) :])
    return 0.0
