"""The benchmark's short mode, as CI runs it: `benchmarks/run.py --quick` on the small cores.

One run of the harness (a warm-up and three measured runs of every scenario, alternating godap
and Delve) proves that it drives both servers and writes its tables, and then judges the targets
that apply to the short mode's cores (T1 on g10 and small, T6 on g1000, T7 on small): a ratio
may miss its target by no more than the run-to-run noise that this same run measured. A target
that the committed short run (`benchmarks/results-quick.json`, written by `run.py --quick`) does
not meet yet is reported, not judged, and a miss must show in a second run to fail. The full
mode (`python benchmarks/run.py`, the 100k core, cmd/go and cmd/compile) judges the others.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from support.cores import CoreDumpUnavailable
from support.prerequisites import missing

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import run, servers  # noqa: E402

RUNS = 3
REFERENCE = REPO_ROOT / "benchmarks" / "results-quick.json"  # the last short run, committed


def _judged(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The verdicts of a run on a limit with noise, by table and row."""
    return {
        f"{table['key']} {verdict['row']}": verdict
        for table in document["tables"]
        for verdict in table["verdicts"]
        if "within_noise" in verdict
    }


def _run_short_mode(out: Path) -> tuple[dict[str, Any], str]:
    """The JSON document and the printed text of one short-mode run written to `out`."""
    if servers.find_dlv() is None:
        missing("Delve (dlv) is not installed")
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            status = run.main(["--quick", "--runs", str(RUNS), "--warmup", "1", "--out", str(out)])
    except CoreDumpUnavailable as exc:
        missing(f"this machine cannot make cores: {exc}")
    assert status == 0
    assert (out / "results-quick.md").read_text().startswith("# godap vs Delve benchmarks")
    return json.loads((out / "results-quick.json").read_text()), printed.getvalue()


@pytest.fixture(scope="module")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    return _run_short_mode(tmp_path_factory.mktemp("bench"))


def test_short_mode_measures_every_scenario(short_run: tuple[dict[str, Any], str]) -> None:
    document, printed = short_run
    assert [table["key"] for table in document["tables"]] == ["T1", "T1-phases", "T2", "T3", "T4", "T5", "T6", "T7"]
    for table in document["tables"]:
        assert f"{table['key']}. " in printed
    raw = document["raw"]["small"]
    for scenario in (
        "godap session",
        "godap session (machine python)",
        "delve session",
        "delve goroutines",
        "godap grouped",
        "delve goroutines -t",
    ):
        runs = raw[scenario]
        assert isinstance(runs, list) and len(runs) == RUNS, f"{scenario}: {runs}"
    for server in ("godap", "delve"):
        session = raw[f"{server} session"][0]
        assert session["spawn→stackTrace"] > 0
        assert session["threads listed"] > 0
        assert session["peak anon"] > 0
    assert raw["godap report"][0]["lines"] > 0


def _bound(verdict: dict[str, Any], held: dict[str, Any] | None) -> float | None:
    """How far `verdict`'s value may go: its target plus this run's noise. A target the committed
    run did not meet (`held`) is only reported: from one short run to the next (minutes apart on
    this shared machine) such a ratio was seen to move by more than a run's own noise (T1 g10:
    1.27×, 1.73×, 2.03×, 1.61×), so no bound drawn from it would tell a regression from the load."""
    return None if held is not None else float(verdict["limit"]) + float(verdict["noise"])


def _regressions(document: dict[str, Any], held: dict[str, Any]) -> dict[str, str]:
    return {
        key: f"{key}: {verdict['value']:.3g} > {bound:.3g} ({verdict['detail']})"
        for key, verdict in _judged(document).items()
        if (bound := _bound(verdict, held.get(key))) is not None and verdict["value"] > bound
    }


def test_no_target_regresses_past_its_noise(short_run: tuple[dict[str, Any], str], tmp_path: Path) -> None:
    """A miss must show in a second run too: one slow run on a shared machine is not a regression."""
    document, _ = short_run
    judged = _judged(document)
    held = {key: v for key, v in _judged(json.loads(REFERENCE.read_text())).items() if not v["met"]}
    for key, verdict in judged.items():
        if key in held:
            print(f"not met yet, not judged: {key} {verdict['value']:.3g} (committed run {held[key]['value']:.3g})")
    expected = {"T1 g10", "T1 small", "T6 g1000 DAP session (T1/T3)", "T6 g1000 all goroutines (T2)", "T7 locals cold"}
    assert expected <= set(judged), f"short mode judged only {sorted(judged)}"
    regressed = _regressions(document, held)
    if regressed:
        print("measuring again:", *regressed.values(), sep="\n  ")
        again = _regressions(_run_short_mode(tmp_path)[0], held)
        regressed = {key: f"{regressed[key]}; again {again[key]}" for key in regressed.keys() & again.keys()}
    assert not regressed, "targets missed by more than the measured noise, twice:\n" + "\n".join(regressed.values())


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
