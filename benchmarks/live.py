"""Live processes: how long each tool stops a running Go program, and what it leaves on disk.

    python -m benchmarks.live            # heaps of 100 MiB and 1 GiB, 10,000 goroutines, 3 runs
    python -m benchmarks.live --quick    # a 20 MiB heap and 1,000 goroutines, 1 run

The program is the tests' `live` fixture (`live N MiB`: N parked goroutines, MiB of written heap).
Measured in the same run, alternating tool by tool:

* L1 stop time: `godap capture` (the stop it reports: first seize → last detach), `gcore`
  (gdb attaches, dumps and detaches: the process is stopped for its whole run), `dlv attach` with
  `dump FILE` then `exit -c` (stopped from attach to detach: the whole process).
* L2 disk: the blocks each core takes (`st_blocks`, sparse holes not counted).
* L3 attach → every goroutine listed: godap over DAP (spawn → `attach` → `threads` response) vs
  `dlv attach PID --init` printing `goroutines` (the whole process; Delve's DAP stops at 1,024).

Writes benchmarks/results-live.md and results-live.json (`--out DIR` moves them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from . import servers
from .inputs import REPO_ROOT
from .output import markdown, text
from .procs import run_timed
from .stats import Measures, Stat, ms, ratio, ratio_text, stat
from .tables import Table

sys.path.insert(0, str(REPO_ROOT / "tests"))
from support.build import Mode, build
from support.delve import DETACH_ANSWER
from support.live import running
from support.toolchains import local_release

TIMEOUT = 600.0
_STOPPED_FOR = re.compile(r"stopped for ([\d.]+) ms")
MIB = 1 << 20


def _on_disk(path: Path) -> float:
    return path.stat().st_blocks * 512 / MIB


def godap_capture(pid: int, core: Path) -> Measures:
    result = subprocess.run(
        [*servers.godap_command(), "capture", str(pid), "-o", str(core)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=servers.godap_cwd,
        env=servers.godap_env(),
    )
    found = _STOPPED_FOR.search(result.stderr)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"godap capture failed: {result.stderr}")
    return {"stop": float(found[1]) / 1000, "disk": _on_disk(core)}


def gcore(pid: int, core: Path) -> Measures:
    timed = run_timed(["gcore", "-o", str(core), str(pid)], timeout=TIMEOUT)
    written = Path(f"{core}.{pid}")
    if timed.returncode != 0 or not written.exists():
        raise RuntimeError(f"gcore exited {timed.returncode}")
    written.rename(core)
    return {"stop": timed.wall, "disk": _on_disk(core)}


def delve_attach(pid: int, exe: Path, commands: list[str]) -> tuple[float, int]:
    """`dlv attach PID EXE` running `commands`, then `exit` answered "n" (detach, do not kill):
    (wall seconds, lines printed)."""
    dlv = servers.find_dlv()
    if dlv is None:
        raise RuntimeError("no dlv (expected ~/go/bin/dlv)")
    with tempfile.NamedTemporaryFile("w", suffix=".dlvinit", delete=False) as init:
        init.write("\n".join([*commands, "exit"]) + "\n")
    try:
        argv = [str(dlv), "attach", str(pid), str(exe), "--init", init.name, "--allow-non-terminal-interactive=true"]
        timed = run_timed(argv, timeout=TIMEOUT, stdin=DETACH_ANSWER.encode())
    finally:
        os.unlink(init.name)
    if timed.returncode != 0:
        raise RuntimeError(f"dlv attach exited {timed.returncode}")
    return timed.wall, timed.stdout_lines


def delve_dump(pid: int, exe: Path, core: Path) -> Measures:
    wall, _ = delve_attach(pid, exe, [f"dump {core}"])
    return {"stop": wall, "disk": _on_disk(core)}


def godap_listing(pid: int) -> Measures:
    with servers.godap() as live:
        live.request("initialize", {"adapterID": "godap"})
        _, attach, _ = live.request("attach", {"processId": pid})
        live.client.event("initialized")
        live.request("configurationDone")
        live.client.event("stopped")
        response, _, stamp = live.request("threads")
        return {"wall": stamp - live.spawned, "attach": attach, "threads": len(response["body"]["threads"])}


def delve_listing(pid: int, exe: Path) -> Measures:
    wall, lines = delve_attach(pid, exe, ["goroutines"])
    return {"wall": wall, "threads": lines}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.live", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 20 MiB heap, 1,000 goroutines, one run")
    parser.add_argument("--runs", type=int, help="runs per tool (default 3; quick: 1)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks", help="where the results go")
    args = parser.parse_args(argv)
    heaps = (20,) if args.quick else (100, 1024)
    goroutines = 1_000 if args.quick else 10_000
    runs = args.runs or (1 if args.quick else 3)
    binary = build("live", local_release(), Mode.OPT)
    started = time.perf_counter()
    raw: dict[str, dict[str, list[Measures]]] = {}
    with tempfile.TemporaryDirectory(prefix="godap-live-bench-") as temp:
        for heap in heaps:
            name = f"{heap} MiB"
            raw[name] = {"godap": [], "gcore": [], "dlv": []}
            with running(binary, 0, heap) as program:
                for _ in range(runs):
                    for tool in ("godap", "gcore", "dlv"):
                        core = Path(temp) / f"{tool}.core"
                        if tool == "godap":
                            measures = godap_capture(program.pid, core)
                        elif tool == "gcore":
                            measures = gcore(program.pid, core)
                        else:
                            measures = delve_dump(program.pid, binary.exe, core)
                        raw[name][tool].append(measures)
                        core.unlink(missing_ok=True)
        listing = f"{goroutines:,} goroutines"
        raw[listing] = {"godap": [], "dlv": []}
        with running(binary, goroutines) as program:
            for _ in range(runs):
                raw[listing]["godap"].append(godap_listing(program.pid))
                raw[listing]["dlv"].append(delve_listing(program.pid, binary.exe))
    tables = _tables(raw, heaps, listing)
    for table in tables:
        print(text(table) + "\n")
    stem = "results-live-quick" if args.quick else "results-live"
    head = [
        "# godap on live processes",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M')}, {runs} run(s) per tool, medians with min–max, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; Go {binary.release.version}; "
        f"wall time {time.perf_counter() - started:.0f} s",
        "",
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stem}.md").write_text("\n".join(head) + "\n\n".join(markdown(t) for t in tables) + "\n")
    document = {"tables": [asdict(t) for t in tables], "raw": raw}
    (args.out / f"{stem}.json").write_text(json.dumps(document, indent=1) + "\n")
    return 0


def _tables(raw: dict[str, dict[str, list[Measures]]], heaps: tuple[int, ...], listing: str) -> list[Table]:
    stops = Table(
        "L1",
        "Stop time of a running process: godap snapshot (capture) vs gcore vs dlv attach + dump",
        "≤ 0.5 s for 1 GiB",
        ["heap", "godap", "gcore", "dlv attach+dump", "godap ÷ gcore", "godap ÷ dlv", "verdict"],
    )
    disks = Table(
        "L2",
        "Disk taken by the core each tool writes (MiB on disk)",
        "≥ 5× less than gcore",
        ["heap", "godap capture", "gcore", "dlv dump", "gcore ÷ godap", "verdict"],
    )
    for heap in heaps:
        name = f"{heap} MiB"
        godap, gdb, dlv = (stat(raw[name][tool], "stop") for tool in ("godap", "gcore", "dlv"))
        met = None if heap < 1024 or godap is None else godap.median <= 0.5
        verdict = stops.verdict(name, met, f"godap {ms(godap)} ms")
        stops.rows.append(
            [name, ms(godap), ms(gdb), ms(dlv), ratio_text(ratio(godap, gdb)), ratio_text(ratio(godap, dlv)), verdict]
        )
        ours, theirs, dumped = (stat(raw[name][tool], "disk") for tool in ("godap", "gcore", "dlv"))
        smaller = ratio(theirs, ours)
        verdict = disks.verdict(name, None if smaller is None else smaller >= 5, f"{ratio_text(smaller)} less")
        disks.rows.append([name, _mib(ours), _mib(theirs), _mib(dumped), ratio_text(smaller), verdict])
    lists = Table(
        "L3",
        "Attach → every goroutine listed (godap: spawn → threads response over DAP; Delve: dlv attach + goroutines)",
        "≤ 0.5× dlv attach",
        ["goroutines", "godap", "dlv attach", "godap ÷ dlv", "verdict"],
    )
    godap, dlv = stat(raw[listing]["godap"], "wall"), stat(raw[listing]["dlv"], "wall")
    share = ratio(godap, dlv)
    verdict = lists.verdict(listing, None if share is None else share <= 0.5, ratio_text(share))
    lists.rows.append([listing, ms(godap), ms(dlv), ratio_text(share), verdict])
    lists.notes.append("times in ms; the process is stopped for godap's attach and for all of Delve's run")
    stops.notes.append("times in ms; gcore and dlv keep the process stopped for their whole run")
    return [stops, disks, lists]


def _mib(value: Stat | None) -> str:
    return "—" if value is None else f"{value.median:,.1f}"


if __name__ == "__main__":
    if shutil.which("gcore") is None:
        sys.exit("benchmarks.live needs gcore (gdb)")
    sys.exit(main())
