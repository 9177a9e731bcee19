"""`godap report EXE CORE [--json]`: the crash report, produced by driving the real DAP server
through an in-process session, so it shows exactly what an editor would.

The report has four parts: why the process died; its goroutines grouped by identical stack
(with counts, wait reasons and durations); what blocked goroutines wait on (deadlocks, leaks, the
biggest groups of identical waits); the stopped goroutine's frames with their arguments and
locals. `--json` prints the same data in the shape of `report.schema.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from .adapter import GoAdapter
from .adapter.go_adapter import NO_GOROUTINE
from .dap.loopback import LoopbackClient, RequestFailed

REPORT_FORMAT = 3  # 3: the blocking and heap sections
HEAP_ROWS = 50  # histogram rows in the report
HEAP_TOP = 10  # largest objects and retainers
MAX_VALUES_PER_SCOPE = 64
MAX_IDS = 20  # goroutine ids printed per finding in the text report


def schema() -> dict[str, Any]:
    """The JSON schema of `godap report --json` output."""
    from importlib import resources  # ~12 ms of start-up that printing a report does not need

    text = resources.files("dap_server").joinpath("report.schema.json").read_text()
    return dict(json.loads(text))


class ProgressLine:
    """Progress events drawn on one terminal line (nothing when the output is not a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.enabled = stream.isatty()
        self._title = ""

    def __call__(self, event: dict[str, Any]) -> None:
        if not self.enabled:
            return
        name = event.get("event")
        body = event.get("body") or {}
        if name == "progressStart":
            self._title = str(body.get("title", ""))
            self._draw(body)
        elif name == "progressUpdate":
            self._draw(body)
        elif name == "progressEnd":
            self._stream.write("\r\x1b[K")
            self._stream.flush()

    def _draw(self, body: dict[str, Any]) -> None:
        pct = body.get("percentage")
        bar = ""
        if isinstance(pct, int | float):
            filled = int(pct / 5)
            bar = "[" + "#" * filled + "." * (20 - filled) + f"] {pct:3.0f}% "
        message = str(body.get("message") or "")
        self._stream.write(f"\r\x1b[K{bar}{self._title} {message}"[:200])
        self._stream.flush()


class _Collector:
    def __init__(self, client: LoopbackClient) -> None:
        self._client = client

    def frames(self, thread_id: int) -> list[dict[str, Any]]:
        return [_frame(f) for f in self._client.request("stackTrace", {"threadId": thread_id})["stackFrames"]]

    def frames_with_values(self, thread_id: int) -> list[dict[str, Any]]:
        raw = self._client.request("stackTrace", {"threadId": thread_id})["stackFrames"]
        frames = []
        for frame in raw:
            entry = _frame(frame)
            if entry["hint"] == "normal" and entry["file"]:
                for scope in self._client.request("scopes", {"frameId": frame["id"]})["scopes"]:
                    if scope.get("presentationHint") in ("arguments", "locals"):
                        entry[scope["presentationHint"]] = self.values(scope["variablesReference"])
            frames.append(entry)
        return frames

    def values(self, reference: int) -> list[dict[str, Any]]:
        body = self._client.request("variables", {"variablesReference": reference, "count": MAX_VALUES_PER_SCOPE})
        return [{"name": v["name"], "type": v.get("type", ""), "value": v["value"]} for v in body["variables"]]


def collect(exe: str, core: str | int, progress: ProgressLine | None = None, heap: bool = False) -> dict[str, Any]:
    """Everything the report prints, gathered over DAP; `core` may be the id of a running process
    (then a snapshot of it is explained, and it runs on); with `heap`, the heap analysis too."""
    client = LoopbackClient(GoAdapter, on_event=progress)
    try:
        client.request(
            "initialize",
            {
                "adapterID": "godap",
                "clientID": "godap-report",
                "linesStartAt1": True,
                "columnsStartAt1": True,
                "supportsProgressReporting": bool(progress and progress.enabled),
            },
        )
        if isinstance(core, int):
            client.request("attach", {"processId": core, "program": exe, "snapshot": True, "groupGoroutines": True})
        else:
            client.request("launch", {"program": exe, "coreFilePath": core, "groupGoroutines": True})
        client.wait_event("initialized")
        client.request("configurationDone")
        stopped = client.wait_event("stopped")
        goroutine = stopped.get("threadId")
        crash = client.request("exceptionInfo", {"threadId": goroutine}) if goroutine else {}
        module = client.request("modules", {"moduleCount": 1})["modules"][0]
        collector = _Collector(client)
        groups = [
            {
                "name": entry["name"],
                "count": entry["count"],
                "state": entry["state"],
                "where": entry["where"],
                "representative": entry["threadId"],
                "frames": collector.frames(entry["threadId"]),
            }
            for entry in client.request("goroutineGroups")["groups"]
        ]
        stopped_frames = collector.frames_with_values(goroutine) if goroutine else []
        blocking = _blocking(client)
        heap_summary = client.request("heapSummary", {"rows": HEAP_ROWS, "top": HEAP_TOP}) if heap else None
        client.request("disconnect")
        report = {
            "format": REPORT_FORMAT,
            "program": module.get("path") or exe,
            "core": f"process {core} (a snapshot; it runs on)" if isinstance(core, int) else core,
            "go_version": module.get("version") or "",
            "crashed": stopped.get("reason") == "exception",
            "crash": {
                "id": crash.get("exceptionId", "no crash"),
                "description": crash.get("description") or stopped.get("description") or "",
                "details": ((crash.get("details") or {}).get("stackTrace") or "").splitlines(),
                "no_goroutine": (crash.get("details") or {}).get("typeName") == NO_GOROUTINE,
            },
            "goroutine_count": sum(group["count"] for group in groups),
            "groups": groups,
            "stopped": {"goroutine": goroutine, "reason": stopped.get("reason"), "frames": stopped_frames},
            "blocking": blocking,
        }
        if heap_summary is not None:
            report["heap"] = heap_summary
        return report
    finally:
        client.close()


def _blocking(client: LoopbackClient) -> dict[str, Any]:
    """The blocking section; what went wrong instead when the blocking graph cannot be read."""
    try:
        body = client.request("blocking")
    except RequestFailed as exc:
        return {"blocked": 0, "findings": [], "limits": [], "problem": exc.message}
    return {"blocked": body["blocked"], "findings": body["findings"], "limits": body["limits"]}


def _frame(frame: dict[str, Any]) -> dict[str, Any]:
    source = frame.get("source") or {}
    return {
        "name": frame.get("name", ""),
        "file": source.get("path") or source.get("name") or "",
        "line": frame.get("line", 0),
        "pc": frame.get("instructionPointerReference") or "",
        "hint": frame.get("presentationHint") or "normal",
    }


def render_text(report: dict[str, Any], out: TextIO) -> None:
    crash = report["crash"]
    out.write(f"godap report: {report['program']} ({report['go_version']}) with core {report['core']}\n\n")
    out.write((crash["description"] or "no crash") + "\n")
    for line in crash["details"]:
        out.write(f"  {line}\n")
    groups = report["groups"]
    out.write(f"\n{report['goroutine_count']} goroutines in {len(groups)} groups of identical stacks:\n")
    width = max((len(str(group["count"])) for group in groups), default=1)
    for group in groups:
        out.write(f"  {group['count']:>{width}}× [{group['state']}] {group['where']}\n")
    _render_blocking(report["blocking"], out)
    stopped = report["stopped"]
    if stopped["goroutine"] is not None:
        if crash.get("no_goroutine"):
            heading = f"No goroutine was running where the signal landed; goroutine {stopped['goroutine']} was here"
        else:
            heading = f"Goroutine {stopped['goroutine']} {'crashed' if report['crashed'] else 'stopped'} here"
        out.write(f"\n{heading}:\n")
        _render_frames(stopped["frames"], out)
    for group in groups:
        if stopped["goroutine"] == group["representative"]:
            continue
        out.write(f"\n{group['name']}\n")
        _render_frames(group["frames"], out)
    if "heap" in report:
        _render_heap(report["heap"], out)


def _render_heap(heap: dict[str, Any], out: TextIO) -> None:
    out.write(
        f"\nLive heap: {heap['liveObjects']:,} objects, {heap['liveBytes']:,} bytes (allocated: "
        f"{heap['allocatedObjects']:,} objects, {heap['allocatedBytes']:,} bytes); untyped: "
        f"{heap['untypedObjects']:,} objects, {heap['untypedBytes']:,} bytes\n"
    )
    out.write(f"{'count':>12} {'bytes':>14} {'share':>7}  type\n")
    for row in heap["histogram"]:
        out.write(f"{row['count']:>12,} {row['bytes']:>14,} {row['share']:>7.1%}  {row['type']}\n")
    for title, key in (("Largest objects", "largestObjects"), ("Largest retainers", "largestRetainers")):
        out.write(f"\n{title}:\n")
        for obj in heap[key]:
            out.write(f"  {obj['address']} {obj['type']}: {obj['size']:,} bytes, retains {obj['retained']:,}\n")
            out.write(f"      path: {' → '.join(obj['path']) or '(unreachable)'}\n")
    out.write("\nRoots that retain the most:\n")
    for root in heap["rootRetainers"]:
        out.write(f"  {root['retained']:>14,} {root['name']}\n")
    for note in heap["notes"]:
        out.write(f"note: {note}\n")


def _render_blocking(blocking: dict[str, Any], out: TextIO) -> None:
    out.write(f"\n{blocking['blocked']} blocked goroutines")
    if blocking.get("problem"):
        out.write(f": {blocking['problem']}\n")
        return
    out.write(":\n" if blocking["findings"] else "; no deadlock, leak or group of identical waits.\n")
    for finding in blocking["findings"]:
        goids = finding["goroutines"]
        more = f" …+{len(goids) - MAX_IDS:,}" if len(goids) > MAX_IDS else ""
        shown = ", ".join(str(g) for g in goids[:MAX_IDS]) + more
        out.write(f"  {finding['title']}\n    goroutines: {shown}\n")
        for detail in finding["details"]:
            out.write(f"    {detail}\n")
    for limit in blocking["limits"]:
        out.write(f"  (search bound: {limit})\n")


def _render_frames(frames: list[dict[str, Any]], out: TextIO) -> None:
    """Frames as an editor shows them, runs of quiet runtime frames folded into one line."""
    quiet: list[dict[str, Any]] = []

    def flush() -> None:
        if len(quiet) == 1:
            _render_frame(quiet[0], out)
        elif quiet:
            out.write(f"    … {len(quiet)} runtime frames ({quiet[0]['name']} … {quiet[-1]['name']})\n")
        quiet.clear()

    for frame in frames:
        if frame["hint"] == "subtle":
            quiet.append(frame)
            continue
        flush()
        _render_frame(frame, out)
    flush()


def _render_frame(frame: dict[str, Any], out: TextIO) -> None:
    if frame["hint"] == "label":
        where = f" {os.path.basename(frame['file'])}:{frame['line']}" if frame.get("file") else ""
        out.write(f"    -- {frame['name']}{where}\n")
        return
    location = f"{frame['file']}:{frame['line']}" if frame.get("file") else frame.get("pc") or ""
    out.write(f"    {frame['name']}\n        {location}\n")
    for scope in ("arguments", "locals"):
        for value in frame.get(scope, []):
            out.write(f"          {value['name']} = {value['value']}\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="godap report",
        description="Explain a Go core dump (EXE CORE) or a running Go process (PID) and list its goroutines.",
    )
    parser.add_argument("program", help="the executable that produced the core (may be compressed), or a process id")
    parser.add_argument("core", nargs="?", help="the core dump (plain, gzip, xz or zstd)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (see report.schema.json)")
    parser.add_argument(
        "--heap", action="store_true", help="add the heap analysis: type histogram, largest objects and retainers"
    )
    args = parser.parse_args(argv)
    if args.core is None and not args.program.isdigit():
        parser.error("give EXE CORE, or the PID of a running Go process")
    progress = ProgressLine(sys.stderr)
    try:
        if args.core is None:
            report = collect("", int(args.program), progress, args.heap)
        else:
            report = collect(os.path.abspath(args.program), os.path.abspath(args.core), progress, args.heap)
    except RequestFailed as exc:
        print(f"godap report: {exc.message}", file=sys.stderr)
        return 1
    try:
        if args.json:
            json.dump(report, sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            render_text(report, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `godap report … | head` closed the pipe early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
