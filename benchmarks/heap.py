"""Heap analysis benchmark: histogram and dominators on cores of ~1 M and ~20 M heap objects.

    python -m benchmarks.heap                 # 1m: heapzoo 500000 (≈1 M objects), 3 runs
    python -m benchmarks.heap --inputs 1m,20m:1

Each run is a fresh process (`python -m benchmarks.heap_child EXE CORE OUT`) that opens the core
and makes the whole analysis (objects, pointers, roots, graph, BFS, dominators, types, retained
sizes, histogram) without the saved copy; a last process answers from the copy saved beside the
core, as a second session does. Wall time is the child's own clock around the analysis; peak
anonymous RSS is sampled from /proc (benchmarks/procs.py). The heap size is the program's own
runtime.MemStats.HeapAlloc. Targets: 1 M objects ≤ 5 s, 20 M ≤ 2 min, peak ≤ 2× the heap.
viewcore would be measured in the same run, but it cannot be installed here (the module proxy
refuses golang.org/x/debug), so its column says so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import inputs  # the fixture builds and cores of tests/support
from .procs import run_timed

SIZES = {"10k": 5_000, "1m": 500_000, "20m": 10_000_000}  # heapzoo N: N Node + N Item + a few hundred others
TARGETS = {"10k": 5.0, "1m": 5.0, "20m": 120.0}  # 10k: the smoke test's input
TIMEOUT = 3600.0
VIEWCORE = "not run: cannot be installed (the module proxy refuses golang.org/x/debug)"


def _child(exe: Path, core: Path, out: Path, cached: bool) -> dict[str, float | int | str]:
    command = [sys.executable, "-m", "benchmarks.heap_child", str(exe), str(core), str(out)]
    if cached:
        command.append("--cached")
    timed = run_timed(
        command, timeout=TIMEOUT, cwd=str(inputs.REPO_ROOT), env={**os.environ, "PYTHONPATH": str(inputs.REPO_ROOT)}
    )
    if timed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {timed.returncode}")
    found = json.loads(out.read_text())
    found.update(
        process_wall=timed.wall,
        process_cpu=timed.cpu,
        peak_anon_mib=timed.peak_anon_mib,
        peak_rss_mib=timed.peak_rss_mib,
    )
    return found


def measure(name: str, runs: int) -> dict[str, object]:
    n = SIZES[name]
    binary = inputs.build("heapzoo", inputs.local_release(), inputs.Mode.OPT)
    core = inputs.make_core(binary, [str(n)], inputs.Trigger.SIGABRT, timeout=TIMEOUT)
    facts = {w[1]: int(w[2], 0) for w in (line.split() for line in core.stdout.splitlines()) if w[:1] == ["FACT"]}
    results = []
    with tempfile.TemporaryDirectory(prefix="godap-heap-bench-") as tmp:
        for i in range(runs):
            results.append(_child(core.exe, core.core, Path(tmp) / f"run{i}.json", cached=False))
            print(
                f"{name} run {i + 1}: {results[-1]['seconds']:.2f} s, {results[-1]['peak_anon_mib']:.0f} MiB",
                flush=True,
            )
        again = _child(core.exe, core.core, Path(tmp) / "cached.json", cached=True)
    heap_mib = facts["HeapAlloc"] / (1 << 20)
    seconds = [float(r["seconds"]) for r in results]
    peaks = [float(r["peak_anon_mib"]) for r in results]
    return {
        "input": name,
        "objects": results[0]["objects"],
        "heap_mib": round(heap_mib, 1),
        "core_mib": round(core.core.stat().st_size / (1 << 20), 1),
        "seconds_median": round(statistics.median(seconds), 2),
        "seconds_min_max": [round(min(seconds), 2), round(max(seconds), 2)],
        "process_cpu_median": round(statistics.median(float(r["process_cpu"]) for r in results), 2),
        "phases": results[0]["phases"],
        "peak_anon_mib_median": round(statistics.median(peaks), 1),
        "peak_over_heap": round(statistics.median(peaks) / heap_mib, 2),
        "cached_seconds": round(float(again["seconds"]), 2),
        "target_seconds": TARGETS[name],
        "viewcore": VIEWCORE,
    }


def _git() -> str:
    """The commit measured, "+changes" when dap_server/ differs from it."""
    root = str(inputs.REPO_ROOT)
    head = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", root, "status", "--porcelain", "--", "dap_server"], capture_output=True, text=True
    )
    return head.stdout.strip() + (" +changes" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", default="1m", help="comma-separated: 10k, 1m, 20m; NAME:RUNS sets its runs")
    parser.add_argument("--runs", type=int, default=3, help="runs of an input that names none")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    load_start = os.getloadavg()
    chosen = [
        (name, int(runs or args.runs)) for name, _, runs in (item.partition(":") for item in args.inputs.split(","))
    ]
    rows = [measure(name, runs) for name, runs in chosen]
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "git": _git(),
    }
    (args.out / "results-heap.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = [
        "# Heap analysis benchmark",
        "",
        f"- date: {meta['date']}; load average at start {meta['load_start']}, at end {meta['load_end']};"
        f" {meta['cpus']} CPUs; runs: {', '.join(f'{name} {runs}' for name, runs in chosen)}; median (min–max)",
        f"- godap at git {meta['git']}; CPU is the whole child process's user+sys (Python start and opening"
        " the core included); wall time is the analysis alone",
        "",
        "| input | objects | heap (MemStats) | analysis | CPU (whole process) | target | peak anon RSS | ÷ heap |"
        " saved copy | viewcore |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        low, high = r["seconds_min_max"]  # type: ignore[misc]
        lines.append(
            f"| {r['input']} | {r['objects']:,} | {r['heap_mib']} MiB | {r['seconds_median']} s ({low}–{high}) |"
            f" {r['process_cpu_median']} s |"
            f" ≤ {r['target_seconds']} s | {r['peak_anon_mib_median']} MiB | {r['peak_over_heap']}× (≤ 2×) |"
            f" {r['cached_seconds']} s | {r['viewcore']} |"
        )
    lines += ["", "Phases of the first run (seconds):", ""]
    for r in rows:
        lines.append(f"- {r['input']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["phases"].items()))  # type: ignore[attr-defined]
    (args.out / "results-heap.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
