"""The benchmark harness (benchmarks/run.py) runs end to end on the smallest input.

One run of each scenario, no warm-up, results written to a temporary
directory. Nothing is asserted about speed: this only proves that the harness
drives both servers, measures every scenario and writes its tables.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from support.cores import CoreDumpUnavailable
from support.prerequisites import missing

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import run, servers  # noqa: E402


def test_quick_harness_runs_on_the_smallest_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if servers.find_dlv() is None:
        missing("Delve (dlv) is not installed")
    try:
        status = run.main(["--quick", "--inputs", "small", "--runs", "1", "--warmup", "0", "--out", str(tmp_path)])
    except CoreDumpUnavailable as exc:
        missing(f"this machine cannot make cores: {exc}")
    assert status == 0
    printed = capsys.readouterr().out
    document = json.loads((tmp_path / "results-quick.json").read_text())
    assert (tmp_path / "results-quick.md").read_text().startswith("# godap vs Delve benchmarks")
    assert [table["key"] for table in document["tables"]] == ["T1", "T1-phases", "T2", "T3", "T4", "T5", "T6", "T7"]
    for table in document["tables"]:
        assert f"{table['key']}. " in printed
    raw = document["raw"]["small"]
    for scenario in ("godap session", "delve session", "delve goroutines", "godap grouped", "delve goroutines -t"):
        runs = raw[scenario]
        assert isinstance(runs, list) and len(runs) == 1, f"{scenario}: {runs}"
    for server in ("godap", "delve"):
        session = raw[f"{server} session"][0]
        assert session["spawn→stackTrace"] > 0
        assert session["threads listed"] > 0
        assert session["peak anon"] > 0
    assert raw["godap report"][0]["lines"] > 0


def test_heap_benchmark_runs_on_the_smallest_input(tmp_path: Path) -> None:
    from benchmarks import heap

    try:
        status = heap.main(["--inputs", "10k:1", "--out", str(tmp_path)])
    except CoreDumpUnavailable as exc:
        missing(f"this machine cannot make cores: {exc}")
    assert status == 0
    document = json.loads((tmp_path / "results-heap.json").read_text())
    (row,) = document["rows"]
    assert row["input"] == "10k" and row["objects"] > 10_000
    assert row["peak_anon_mib_median"] > 0 and row["cached_seconds"] >= 0
    assert (tmp_path / "results-heap.md").read_text().startswith("# Heap analysis benchmark")
