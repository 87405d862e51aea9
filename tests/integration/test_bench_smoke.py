"""The benchmark (bench/, `make bench`) is not part of `make test`; this keeps it from rotting silently: its
statistics and ratio helpers, and one whole run scaled down to a few seconds against the real services."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support.paths import REPO

sys.path.insert(0, str(REPO))  # bench/ is a folder of the repository, not an installed package

from bench.profiling import heaviest_frames
from bench.run import Config, run
from bench.stats import NotAvailable, Row, format_table, percentile, ratio, summarize_seconds

pytestmark = pytest.mark.integration


def test_percentiles_ratios_and_the_table() -> None:
    values = [float(value) for value in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
    summary = summarize_seconds([0.002, 0.001, 0.010])
    assert summary is not None
    assert (summary.count, summary.p50, summary.max) == (3, 2.0, 10.0)
    assert summarize_seconds([]) is None
    assert ratio(30.0, 10.0) == 3.0
    assert ratio(1.0, 0.0) is None
    assert ratio(None, 1.0) is None
    table = format_table(
        [
            Row("s", "measured", 25.0, "ms", 5.0, "bare", "< 50 ms", True),
            Row("s", "pending", NotAvailable("needs issue 4"), "ms"),
        ]
    )
    assert "5.00x" in table
    assert "n/a (needs issue 4)" in table
    assert heaviest_frames(["main;work 3", "main;idle 1", "garbage"]) == [
        ("main", 1.0),
        ("work", 0.75),
        ("idle", 0.25),
    ]


@pytest.mark.timeout(120)
async def test_a_scaled_down_run_measures_every_stage_and_prints_ratios(tmp_path: Path) -> None:
    config = Config(
        rate=20,
        open_loop_seconds=0.5,
        clients=2,
        closed_loop_seconds=0.5,
        bare_seconds=0.5,
        warm_up_seconds=0.3,
        baseline_events=100,
        baseline_rate_seconds=0.25,
        baselines_while_starting=True,
        deadline_msps=100,
        deadline_obligations=1000,
        deadline_due=10,
        rebuild_events=500,
        scale_organizations=100,
        list_requests=3,
        mix_msps=10,
        mix_seconds=2,
        console_users=3,
        console_seconds=0.5,
        drain_seconds=15,
        results_dir=tmp_path,
    )
    outcome = await run(config)
    result = outcome["result"]
    for phase in [*result["bare_phases"], *result["phases"]]:
        assert phase["succeeded"] > 0, phase
        assert phase["failed"] == 0, phase["errors"]
        assert phase["stage_missing"] == {"subscriber": 0, "mail": 0, "reporting": 0}, phase
        assert all(phase["stage_latency_ms"].values()), phase
    # The mix sent every kind of command, and each went all the way (its event, its projection, its mail).
    mixed = result["phases"][2]["by_scenario"]
    assert set(mixed) == {"register NGO", "sign MSP", "announce visit", "submit report"}, mixed
    assert all(figures["missing"] == 0 and figures["end_to_end"] for figures in mixed.values()), mixed
    assert result["reporting_summary_total"] >= result["registered_over_http"]
    assert result["observed"]["mails"] >= result["answered_over_http"]
    assert set(result["service_exit_codes"].values()) == {0}
    assert set(result["bare_exit_codes"].values()) == {0}
    assert result["console"]["pages"] > 0, result["console"]
    assert result["console"]["failed"] == 0, result["console"]
    assert result["console"]["without_pause"]["pages"] > 0, result["console"]
    assert result["console"]["without_pause"]["failed"] == 0, result["console"]
    rows = {row["name"]: row for row in result["rows"] if row["section"] == "targets (issue 16)"}
    assert len([row for row in rows.values() if row["target"]]) == 12, rows
    end_to_end = rows["end to end at saturation (registrations consumed by notifications and reporting)"]
    assert end_to_end["value"] > 0
    assert end_to_end["ratio"] > 0
    assert rows["CPU per registration, all processes"]["ratio"] > 0
    assert rows["deadline tick, 10 due among 1,000 obligations (running engine)"]["value"] > 0
    assert result["deadline_tick"]["notices"] == 10
    # The running engine's days after its first tick, each with the day's own due obligations.
    assert result["deadline_tick"]["first_tick_notices"] == 10
    assert len(result["deadline_tick"]["daily_milliseconds"]) == 3
    assert result["reporting_rebuild"]["applied"] == 500
    run_log = result["reporting_rebuild_of_the_run"]
    assert run_log["events"] >= result["registered_over_http"], run_log
    assert "id.go.mitra.registry.organization.registered.v1" in run_log["types"], run_log
    assert not any("n/a" in str(row["value"]) for row in result["rows"]), "a measure is missing"
    assert "x |" in format_table(outcome["rows"])
