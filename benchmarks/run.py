"""Benchmark godap against Delve in the same run: ``python benchmarks/run.py [--quick]``.

Every scenario is a fresh process, run once to warm up and then N times;
the scenarios compared with each other alternate run by run, so a change in
the machine's load hits both sides alike. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gc
import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import inputs, output, scenarios, servers, tables
from benchmarks.scenarios import Ids, Measures
from benchmarks.tables import Raw

BENCH_DIR = Path(__file__).resolve().parent
MAX_FAILURES = 2  # a scenario that fails this often in one group is dropped
SLOW_WARMUP = 10.0  # a group whose warm-up took longer than this gets --slow-runs runs
QUICK_INPUTS = ("small", "g10", "g1000")
FULL_INPUTS = ("small", "g10", "g1000", "g10000", "g100000", "gocmd", "compile")
REPORT_INPUTS = {"quick": ("small", "g1000"), "full": ("small", "g100000", "gocmd", "compile")}
VARIABLES_INPUT = {"quick": "small", "full": "gocmd"}

Scenario = tuple[str, Callable[[], Measures]]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _headline(measures: Measures) -> str:
    for key in ("spawn→stackTrace", "launch→threads", "wall", "cold scopes+variables", "far first"):
        if key in measures:
            return f"{key} {measures[key] * 1000:,.0f} ms"
    return ""


def measure_group(name: str, group: list[Scenario], raw: Raw, warmup: int, runs: int, slow_runs: int) -> None:
    """Warm up each scenario, then run them alternately; failures are recorded, not raised."""
    results = raw.setdefault(name, {})
    alive: list[Scenario] = []
    slow = False
    for scenario, function in group:
        try:
            for _ in range(warmup):
                start = time.perf_counter()
                function()
                slow = slow or time.perf_counter() - start > SLOW_WARMUP
            alive.append((scenario, function))
            results[scenario] = []
        except Exception as exc:
            results[scenario] = f"{type(exc).__name__}: {exc}"
            _log(f"  {name} {scenario}: FAILED in warm-up: {exc}")
            if not isinstance(exc, LookupError):
                traceback.print_exc()
    count = min(runs, slow_runs) if slow else runs
    failures: dict[str, int] = {}
    for index in range(count):
        for scenario, function in list(alive):
            gc.collect()
            try:
                measures = function()
            except Exception as exc:
                # Keep the runs so far; give up on the scenario after a second failure.
                results[f"{scenario} (error)"] = f"{type(exc).__name__}: {exc}"
                failures[scenario] = failures.get(scenario, 0) + 1
                if failures[scenario] >= MAX_FAILURES:
                    alive.remove((scenario, function))
                _log(f"  {name} {scenario} run {index + 1}/{count}: FAILED: {exc}")
                continue
            measures["load1"] = os.getloadavg()[0]
            runs_so_far = results[scenario]
            assert isinstance(runs_so_far, list)
            runs_so_far.append(measures)
            _log(f"  {name} {scenario} run {index + 1}/{count}: {_headline(measures)}")


def _session_group(inp: inputs.Input, ids: Ids) -> list[Scenario]:
    group: list[Scenario] = [
        ("godap session", lambda: scenarios.session("godap", inp, ids)),
        ("delve session", lambda: scenarios.session("delve", inp, ids)),
        ("delve goroutines", lambda: scenarios.delve_cli(inp, "goroutines")),
        ("godap far", lambda: scenarios.far_without_threads("godap", inp, ids)),
        ("delve far", lambda: scenarios.far_without_threads("delve", inp, ids)),
    ]
    if servers.installed:  # the same godap, started by this machine's interpreter and its .pth files
        group.insert(2, (tables.MACHINE_SESSION, lambda: scenarios.session("godap", inp, ids, machine=True)))
    return group


def _stacks_group(inp: inputs.Input, with_report: bool) -> list[Scenario]:
    group: list[Scenario] = [
        ("godap grouped", lambda: scenarios.grouped_threads(inp)),
        ("delve goroutines -t", lambda: scenarios.delve_cli(inp, "goroutines -t")),
    ]
    if with_report:
        group.append(("godap report", lambda: scenarios.godap_report(inp)))
    return group


def _variables_group(inp: inputs.Input) -> list[Scenario]:
    group: list[Scenario] = []
    for kind in ("locals", "globals"):
        for server in ("godap", "delve"):
            group.append((f"{server} variables {kind}", functools.partial(scenarios.variables, server, inp, kind)))
    return group


def _command_output(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return result.stdout.strip()


def _meta(mode: str, args: argparse.Namespace, used: list[inputs.Input]) -> dict[str, object]:
    import dap_server

    dlv = servers.find_dlv()
    dlv_version = _command_output([str(dlv), "version"]).splitlines() if dlv else ["none"]
    git = _command_output(["git", "-C", str(BENCH_DIR.parent), "rev-parse", "--short", "HEAD"])
    digest = hashlib.sha256()
    for path in sorted((servers.godap_root / "dap_server").rglob("*.py")):
        digest.update(path.read_bytes())
    dirty = _command_output(["git", "-C", str(BENCH_DIR.parent), "status", "--porcelain", "--", "dap_server"])
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "mode": mode,
        "runs": args.runs,
        "warmup": args.warmup,
        "slow_runs": args.slow_runs,
        "cpus": os.cpu_count(),
        "load_start": "/".join(f"{x:.2f}" for x in os.getloadavg()),
        "godap": dap_server.__version__,
        "git": git + (" + uncommitted changes in dap_server/" if dirty else ""),
        "godap_tree": f"{servers.godap_root / 'dap_server'} (sha256 of its *.py: {digest.hexdigest()[:12]})",
        "delve": next((line.split(":", 1)[1].strip() for line in dlv_version if line.startswith("Version")), "?"),
        "python": platform.python_version(),
        "go": _command_output(["go", "version"]),
        "inputs": [inp.describe() for inp in used],
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small inputs, 2 runs: a smoke run of a few minutes")
    parser.add_argument("--runs", type=int, help="measured runs per scenario (default 5; 2 with --quick)")
    parser.add_argument(
        "--slow-runs", type=int, default=3, help=f"runs for groups whose warm-up took > {SLOW_WARMUP:.0f} s"
    )
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs per scenario (default 1)")
    parser.add_argument("--inputs", help="comma-separated subset: small,g10,g1000,g10000,g100000,gocmd,compile")
    parser.add_argument(
        "--live-tree",
        action="store_true",
        help="run godap from the working tree itself, not from a snapshot of dap_server/ taken at the start",
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where results[-quick].md/.json go")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 2 if args.quick else 5
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.live_tree:
        return run(args)
    with tempfile.TemporaryDirectory(prefix="godap-bench-tree-") as tree:
        servers.snapshot(Path(tree))
        try:
            return run(args)
        finally:
            servers.unsnapshot()


def run(args: argparse.Namespace) -> int:
    mode = "quick" if args.quick else "full"
    names = args.inputs.split(",") if args.inputs else list(QUICK_INPUTS if args.quick else FULL_INPUTS)
    started = time.perf_counter()
    _log(f"making inputs: {', '.join(names)}")
    used = [inputs.by_name(name) for name in names]
    meta = _meta(mode, args, used)
    raw: Raw = {}
    report_names = [n for n in names if n in REPORT_INPUTS[mode]]
    for inp in used:
        _log(f"{inp.name}: {inp.core}")
        ids = Ids()
        measure_group(inp.name, _session_group(inp, ids), raw, args.warmup, args.runs, args.slow_runs)
        measure_group(
            inp.name, _stacks_group(inp, inp.name in report_names), raw, args.warmup, args.runs, args.slow_runs
        )
    variables_name = VARIABLES_INPUT[mode] if VARIABLES_INPUT[mode] in names else None
    frames: dict[str, str] = {}
    if variables_name is not None:
        inp = next(i for i in used if i.name == variables_name)
        _log(f"{inp.name}: variables")
        for server in ("godap", "delve"):
            try:
                picked = scenarios.frame_names(server, inp)
                frames[f"{server} (goroutine 1)"] = (
                    f"locals of {picked['user']} (scopes {picked.get('user scopes')}),"
                    f" globals of {picked['main']} (scopes {picked.get('main scopes')})"
                )
            except Exception as exc:
                frames[f"{server} frames"] = f"failed: {exc}"
        measure_group(inp.name, _variables_group(inp), raw, args.warmup, args.runs, args.slow_runs)
    meta["load_end"] = "/".join(f"{x:.2f}" for x in os.getloadavg())
    meta["elapsed_s"] = time.perf_counter() - started
    built = tables.all_tables(raw, names, report_names, variables_name, frames)
    for table in built:
        print(output.text(table), end="\n\n")
    print("\n".join(output.summary(built)))
    stem = "results-quick" if args.quick else "results"
    output.write(args.out, stem, meta, built, raw)
    print(f"\nwrote {args.out / (stem + '.md')} and {args.out / (stem + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
