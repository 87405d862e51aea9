"""`python -m bench.page_weight`: how heavy the console's pages are and how long they take on a slow line (issue 12).

Starts the console and the four services as processes with the demo data (as `make run` has them, in databases and a
broker namespace of the run's own, removed afterwards), opens Debian's headless Chromium (`make browser`), and for
each demo account logs in and loads its first screen and every page that screen links to, each on a first visit
(empty cache) over a line throttled through the DevTools protocol to 1.6 Mbps down, 750 kbps up and 150 ms round
trip. Prints each page's bytes on the wire (compressed, headers included, page and assets), requests and load time
(navigation start to the load event), the heaviest page last; writes them to bench/results/page-weight-<time>.json.
Exits 1 if a page is over the 150 KB budget.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("MITRA_ENVIRONMENT", "test")

from support.browser import (  # noqa: E402  (the tests' support package, on the path just above)
    ROLE_HOMES,
    SLOW_LINE,
    PageWeight,
    launched_browser,
    log_in,
    measure_page,
    new_page,
    pages_linked_from,
    running_console,
)

from mitra_devtools.demo import DEMO_ACCOUNTS  # noqa: E402

BUDGET_BYTES = 150 * 1024


def measure(throttled: bool, links_per_role: int) -> list[tuple[str, PageWeight]]:
    """(who, weight) of the login page and of each demo account's pages."""
    results: list[tuple[str, PageWeight]] = []
    with (
        tempfile.TemporaryDirectory(prefix="page-weight-") as logs,
        running_console(Path(logs)) as mitra,
        launched_browser() as browser,
    ):
        page = new_page(browser, mitra.console_url)
        results.append(("-", measure_page(page, "/login", throttled=throttled)))
        for account in DEMO_ACCOUNTS:
            page.context.clear_cookies()
            log_in(page, account["username"])
            paths = dict.fromkeys([ROLE_HOMES[account["role"]], *pages_linked_from(page, limit=links_per_role)])
            for path in paths:
                results.append((account["username"], measure_page(page, path, throttled=throttled)))
        page.context.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_weight", description=__doc__)
    parser.add_argument("--unthrottled", action="store_true", help="measure without the slow line")
    parser.add_argument("--links-per-role", type=int, default=20, help="pages linked from each first screen")
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args(argv)
    results = measure(not args.unthrottled, args.links_per_role)
    results.sort(key=lambda item: item[1].transferred_bytes)
    line = "unthrottled" if args.unthrottled else (
        f"{SLOW_LINE['download_bps'] / 1e6:.1f} Mbps down, {SLOW_LINE['upload_bps'] / 1e3:.0f} kbps up, "
        f"{SLOW_LINE['latency_ms']} ms round trip"
    )  # fmt: skip
    print(f"\nConsole pages on a first visit ({line}); bytes on the wire, compressed, with headers and assets\n")
    print(f"{'as':<10} {'page':<48} {'KB':>7} {'requests':>8} {'DCL ms':>8} {'load ms':>8}")
    for who, weight in results:
        print(
            f"{who:<10} {weight.url[:48]:<48} {weight.transferred_bytes / 1024:>7.1f} {len(weight.requests):>8} "
            f"{weight.dom_content_loaded_ms:>8.0f} {weight.load_ms:>8.0f}"
        )
    who, heaviest = results[-1]
    print(f"\nheaviest, as {who}: {heaviest.line()}")
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"page-weight-{time.strftime('%Y%m%dT%H%M%S')}.json"
    rows = [{"as": who, **vars(weight)} for who, weight in results]
    path.write_text(json.dumps({"line": line, "budget_bytes": BUDGET_BYTES, "pages": rows}, indent=2))
    print(f"written to {path}")
    over = [weight for _, weight in results if weight.transferred_bytes > BUDGET_BYTES]
    if over:
        print(f"{len(over)} page(s) over the {BUDGET_BYTES // 1024} KB budget", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
