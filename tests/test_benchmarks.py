"""Every benchmark in bench/ runs as a small smoke run, so none can rot unnoticed.

These check that each benchmark still runs against today's code and reports its figures; they
assert no timing (figures are only meaningful from a full run, as ratios to a baseline).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run(script: str, *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout + result.stderr


def test_startup_benchmark_runs():
    """bench/startup.py times the projector against a minimal Textual app."""
    assert "ratio projector/baseline" in run("startup.py", "--runs", "1")


LOAD_FIGURES = {
    "phones", "mode", "answers", "acked", "lost", "duplicates", "p50_ms", "p99_ms", "projector_p99_ms",
    "throughput", "baseline_throughput", "ratio", "rss_mb", "cpu_pct",
}  # fmt: skip


@pytest.mark.timeout(180)
@pytest.mark.parametrize(("mode", "answers"), [("think", 50), ("burst", 500)])  # burst: 10 a phone
def test_load_benchmark_runs(mode, answers):
    """bench/load.py, 50 phones against the product and the baseline: every answer acked, none lost
    or stored twice (the product's server killed with -9 first), every figure in the JSON."""
    output = run("load.py", "--phones", "50", "--mode", mode, "--window", "1", "--rounds", "1", "--json")
    figures = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
    assert set(figures) >= LOAD_FIGURES
    assert figures["answers"] == figures["acked"] == answers
    assert figures["lost"] == figures["duplicates"] == figures["baseline_lost"] == 0
    assert figures["baseline_duplicates"] == 0
    threads = figures["thread_cpu_us_per_answer"]  # the server's threads: projector, phones, store
    assert {"MainThread", "room", "store"} <= set(threads)
    assert 0 < threads["room"] <= figures["cpu_us_per_answer"]


def test_themes_benchmark_runs():
    """bench/themes_ari.py measures the grouping against hand-labelled notes."""
    assert "time to group 200 notes" in run("themes_ari.py")


def test_report_back_fixes_benchmark_runs():
    """bench/report_back.py --smoke: fixes, suggestions and timings on one breakout; filed notes need
    no fix."""
    lines = run("report_back.py", "--smoke").strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["set"] == "smoke"
    assert figures["notes"] > 0
    assert figures["filed_fix_actions"] == 0
    assert 0 <= figures["suggest_hit_rate"] <= 1
    assert "suggest_ms" in json.loads(lines[0])["timing"]


@pytest.mark.timeout(150)
def test_report_back_load_benchmark_runs():
    """bench/report_back_load.py --smoke: notes and edits are all acked, none lost, themes shown."""
    figures = json.loads(run("report_back_load.py", "--smoke", "--json").strip().splitlines()[-1])
    assert figures["acked"] == figures["notes"] == 50
    assert figures["lost"] == 0
    assert figures["themes_shown"] is True


def test_connections_benchmark_runs():
    """bench/connections.py --smoke: a crowd on a low open-files limit, then a room joining at once."""
    output = run("connections.py", "--smoke")
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    bursts = [line["burst"] for line in lines if "burst" in line]
    assert bursts
    assert all(set(burst["outcomes"]) == {"welcome"} for burst in bursts)


def test_remote_latency_benchmark_runs():
    """bench/remote_latency.py: the remote's presses each move and redraw the headless projector."""
    figures = json.loads(
        run("remote_latency.py", "--presses", "6", "--gap", "0", "--json").strip().splitlines()[-1]
    )
    assert figures["presses"] == 6
    assert figures["p50_ms"] > 0
