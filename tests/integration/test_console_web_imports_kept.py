"""The file kept between an import's preview and its confirmation (issue 15, after review), with the services stood
in for by stubs (`stubbed` of test_console_web_imports) and the console's real database:

- it is kept in the database: another console replica shows and imports it; an account keeps at most 3 (its oldest
  forgotten first), and one account's uploads never evict another's; an expired one is swept;
- a double click imports once: the second confirmation, while the first is running, imports nothing and its page
  says the file is being imported; then both show the first one's result;
- the import is waited for longer than other calls; when even that passes, the page says the import may still be
  running and offers no second import; a service not reached leaves the file to confirm again;
- agreements' 403 naming rows of the file (a ministry's file with another ministry's MSP) is shown as the file's
  problems, by line, and nothing is kept."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import asyncpg
import httpx
import pytest
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from test_console_web_imports import count_of, problem_rows, report, stubbed, upload
from test_console_web_pages import csrf_of, log_in, make_account

from mitra_console.http.web.imports_files import IMPORT_TIMEOUT_SECONDS
from mitra_shared import db
from mitra_shared.clock import JAKARTA

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(JAKARTA))


@pytest.fixture(scope="module")
def console_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([db.MigrationSource("console", "mitra_console")]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture(name="console_pool")
async def console_pool_fixture(console_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(console_database, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def msp_file() -> bytes:
    return f"number\nB-{uuid.uuid4().hex[:8]}\n".encode()


async def kept_rows(pool: asyncpg.Pool, username: str) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM web_import_files f JOIN accounts a ON a.id = f.account_id WHERE a.username = $1",
            username,
        )
    )


def imports_sent(sent: list[tuple[httpx.Request, bytes]]) -> list[httpx.Request]:
    return [request for request, _ in sent if request.url.params.get("dry_run") == "false"]


async def test_another_replica_imports_the_kept_file_and_each_account_keeps_three(
    console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    routes = {("agreements", "/imports/msps"): report()}
    async with stubbed(console_pool, clock, routes) as (one, _), stubbed(console_pool, clock, routes) as (two, sent):
        other_account = await make_account(console_pool, clock, role="tpoa")
        await log_in(two, other_account)
        others = await upload(two, await two.get("/tpoa/imports"), "msps", "theirs.csv", msp_file())
        theirs = others.headers["location"]
        two.cookies.clear()

        account = await make_account(console_pool, clock, role="tpoa")
        await log_in(one, account)
        page = await one.get("/tpoa/imports")
        kept = []
        for number in range(4):
            checked = await upload(one, page, "msps", f"msp-{number}.csv", msp_file())
            assert checked.status_code == 303, checked.text[:1000]
            kept.append(checked.headers["location"])
            clock.advance()
        assert await kept_rows(console_pool, account) == 3
        gone = await one.get(kept[0])
        assert gone.status_code == 303
        assert gone.headers["location"] == "/tpoa/imports"

        two.cookies.update(one.cookies)  # the same person, answered by the other replica
        preview = await two.get(kept[3])
        assert preview.status_code == 200, preview.text[:1000]
        assert "msp-3.csv" in preview.text
        confirmed = await two.post(kept[3], data={"csrf_token": csrf_of(preview)})
        assert confirmed.status_code == 303
        result = await one.get(kept[3])
        assert 'data-testid="import-done"' in result.text
        assert len(imports_sent(sent)) == 1

        two.cookies.clear()
        await log_in(two, other_account)
        assert (await two.get(theirs)).status_code == 200  # four uploads of another account evicted nothing of theirs

        clock.advance(minutes=31)
        await log_in(one, account)  # the session, too, has been idle too long
        expired = await one.get(kept[2])
        assert expired.status_code == 303
        assert expired.headers["location"] == "/tpoa/imports"
        assert await kept_rows(console_pool, account) == 0  # swept
        assert await kept_rows(console_pool, other_account) == 0


async def test_a_double_click_imports_once(console_pool: asyncpg.Pool, clock: FakeClock) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_import(request: httpx.Request, body: bytes) -> httpx.Response:
        if request.url.params.get("dry_run") == "false":
            started.set()
            await release.wait()
        return report(obligations_created=4)(request, body)

    routes = {("agreements", "/imports/msps"): slow_import}
    async with stubbed(console_pool, clock, routes) as (browser, sent):
        await log_in(browser, await make_account(console_pool, clock, role="ministry", ministry_code="KEMENSOS"))
        checked = await upload(browser, await browser.get("/ministry/imports"), "msps", "msp.csv", msp_file())
        address = checked.headers["location"]
        preview = await browser.get(address)
        token = csrf_of(preview)

        first = asyncio.create_task(browser.post(address, data={"csrf_token": token}))
        await asyncio.wait_for(started.wait(), timeout=10)
        second = await browser.post(address, data={"csrf_token": token})
        assert second.status_code == 303
        assert second.headers["location"] == address
        running = await browser.get(address)
        assert 'data-testid="import-running"' in running.text
        assert "Berkas sedang diimpor" in running.text
        assert 'data-testid="confirm-import"' not in running.text
        assert 'href="/ministry/msps"' in running.text

        release.set()
        assert (await asyncio.wait_for(first, timeout=10)).status_code == 303
        result = await browser.get(address)
        assert 'data-testid="import-done"' in result.text
        assert count_of(result, "obligations_created") == "4"
        assert len(imports_sent(sent)) == 1
        await browser.post(address, data={"csrf_token": token})  # once more, after it finished
        assert len(imports_sent(sent)) == 1


async def test_an_import_unanswered_in_time_is_not_offered_again(console_pool: asyncpg.Pool, clock: FakeClock) -> None:
    failure: dict[str, Exception | None] = {"error": None}

    def importing(request: httpx.Request, body: bytes) -> httpx.Response:
        error = failure["error"]
        if request.url.params.get("dry_run") == "false" and error is not None:
            raise error
        return report()(request, body)

    routes = {("agreements", "/imports/msps"): importing}
    async with stubbed(console_pool, clock, routes) as (browser, sent):
        await log_in(browser, await make_account(console_pool, clock, role="tpoa"))
        page = await browser.get("/tpoa/imports")

        # the service not reached: nothing was imported, and the file may be confirmed again
        failure["error"] = httpx.ConnectError("refused")
        address = (await upload(browser, page, "msps", "msp.csv", msp_file())).headers["location"]
        unreachable = await browser.post(address, data={"csrf_token": csrf_of(page)})
        assert unreachable.status_code == 503
        failure["error"] = None
        assert 'data-testid="confirm-import"' in (await browser.get(address)).text
        assert (await browser.post(address, data={"csrf_token": csrf_of(page)})).status_code == 303
        assert 'data-testid="import-done"' in (await browser.get(address)).text

        # no answer in time: it may have been imported
        failure["error"] = httpx.ReadTimeout("no answer")
        address = (await upload(browser, page, "msps", "big.csv", msp_file())).headers["location"]
        timed_out = await browser.post(address, data={"csrf_token": csrf_of(page)})
        assert timed_out.status_code == 303
        assert timed_out.headers["location"] == address
        shown = await browser.get(address)
        assert 'data-testid="import-unknown"' in shown.text
        assert "Impor mungkin masih berjalan" in shown.text
        assert "Periksa daftar sebelum mengimpor berkas ini lagi" in shown.text
        assert 'data-testid="confirm-import"' not in shown.text
        assert 'href="/msps"' in shown.text
        before = len(imports_sent(sent))
        await browser.post(address, data={"csrf_token": csrf_of(page)})
        assert len(imports_sent(sent)) == before

        waits = {request.extensions["timeout"]["read"] for request, _ in sent if request.method == "POST"}
        assert waits == {IMPORT_TIMEOUT_SECONDS}
        assert IMPORT_TIMEOUT_SECONDS > 15


async def test_a_403_naming_rows_of_the_file_lists_them(console_pool: asyncpg.Pool, clock: FakeClock) -> None:
    answer = {"on": "true"}

    def refuse(request: httpx.Request, body: bytes) -> httpx.Response:
        if request.url.params.get("dry_run") != answer["on"]:
            return report()(request, body)
        errors = [{"field": "file.ministry_code", "reason": "an MSP of another ministry", "line": 3}]
        return httpx.Response(403, json={"title": "Forbidden", "status": 403, "errors": errors})

    routes = {("agreements", "/imports/msps"): refuse}
    async with stubbed(console_pool, clock, routes) as (browser, sent):
        account = await make_account(console_pool, clock, role="ministry", ministry_code="KEMENSOS")
        await log_in(browser, account)
        page = await browser.get("/ministry/imports")
        refused = await upload(browser, page, "msps", "msp.csv", msp_file())
        assert refused.status_code == 422, refused.text[:1000]
        assert "Ada masalah pada berkas" in refused.text
        assert [row[0] for row in problem_rows(refused)] == ["3"]
        assert "an MSP of another ministry" in problem_rows(refused)[0][2]
        assert await kept_rows(console_pool, account) == 0

        answer["on"] = "false"  # the dry run passed, the import refused the same row
        address = (await upload(browser, page, "msps", "msp.csv", msp_file())).headers["location"]
        confirmed = await browser.post(address, data={"csrf_token": csrf_of(page)})
        assert confirmed.status_code == 422
        assert [row[0] for row in problem_rows(confirmed)] == ["3"]
        assert await kept_rows(console_pool, account) == 0
        assert (await browser.get(address)).status_code == 303
        assert len(imports_sent(sent)) == 1
