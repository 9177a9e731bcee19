"""One measured heap analysis (run by benchmarks/heap.py in a fresh process): writes its timings
as JSON to OUT. With --cached, the answer from the copy saved beside the core."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from dap_server.goruntime.heap import analysis, store
from dap_server.session import Session, SessionOptions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exe")
    parser.add_argument("core")
    parser.add_argument("out", type=Path)
    parser.add_argument("--cached", action="store_true")
    args = parser.parse_args()
    session = Session.open(SessionOptions(program=args.exe, core=args.core))
    phases: dict[str, float] = {}
    current: dict[str, str | float] = {"step": "opening", "since": time.perf_counter()}

    def end_step(now: float) -> None:
        step = str(current["step"])
        phases[step] = phases.get(step, 0.0) + now - float(current["since"])

    def progress(step: str, done: int, total: int) -> None:
        if step != current["step"]:
            now = time.perf_counter()
            end_step(now)
            current.update(step=step, since=now)

    started = time.perf_counter()
    if args.cached:
        found = session.heap()
    else:
        facts = analysis.analyse(session.process, progress)
        found = analysis.HeapAnalysis(facts)
        store.save(facts, args.core, args.exe)
    found.histogram()
    found.largest_retainers(10)
    seconds = time.perf_counter() - started
    end_step(time.perf_counter())
    args.out.write_text(json.dumps({"seconds": seconds, "objects": len(found.facts.objects), "phases": phases}))


if __name__ == "__main__":
    main()
