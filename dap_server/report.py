"""`godap report EXE CORE [--json]`: the crash report, produced by driving the real DAP server
through an in-process session, so it shows exactly what an editor would."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from .adapter import GoAdapter
from .dap.loopback import LoopbackClient, RequestFailed

REPORT_FORMAT_VERSION = 1


class ProgressLine:
    """Progress events drawn on one terminal line (nothing when the output is not a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._enabled = stream.isatty()
        self._title = ""

    def __call__(self, event: dict[str, Any]) -> None:
        if not self._enabled:
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
        if isinstance(pct, (int, float)):
            filled = int(pct / 5)
            bar = "[" + "#" * filled + "." * (20 - filled) + f"] {pct:3.0f}% "
        message = str(body.get("message") or "")
        self._stream.write(f"\r\x1b[K{bar}{self._title} {message}"[:200])
        self._stream.flush()


def collect(exe: str, core: str, progress: ProgressLine | None = None) -> dict[str, Any]:
    """Everything the report prints, gathered over DAP."""
    client = LoopbackClient(GoAdapter, on_event=progress)
    try:
        client.request(
            "initialize",
            {
                "adapterID": "godap",
                "clientID": "godap-report",
                "linesStartAt1": True,
                "columnsStartAt1": True,
                "supportsProgressReporting": progress is not None,
            },
        )
        client.request("launch", {"program": exe, "coreFilePath": core})
        client.wait_event("initialized")
        client.request("configurationDone")
        stopped = client.wait_event("stopped")
        crash = client.request("exceptionInfo", {"threadId": stopped["threadId"]}) if stopped.get("threadId") else {}
        threads = client.request("threads")["threads"]
        goroutines = []
        for thread in threads:
            frames = client.request("stackTrace", {"threadId": thread["id"]})["stackFrames"]
            goroutines.append({"id": thread["id"], "name": thread["name"], "frames": [_frame(f) for f in frames]})
        client.request("disconnect")
        return {
            "format": REPORT_FORMAT_VERSION,
            "program": exe,
            "core": core,
            "stopped": {
                "reason": stopped.get("reason"),
                "goroutine": stopped.get("threadId"),
                "description": stopped.get("description"),
            },
            "crash": crash,
            "goroutines": goroutines,
        }
    finally:
        client.close()


def _frame(frame: dict[str, Any]) -> dict[str, Any]:
    source = frame.get("source") or {}
    return {
        "name": frame.get("name", ""),
        "file": source.get("path"),
        "line": frame.get("line", 0),
        "pc": frame.get("instructionPointerReference"),
        "hint": frame.get("presentationHint") or "normal",
    }


def render_text(report: dict[str, Any], out: TextIO) -> None:
    crash = report.get("crash") or {}
    out.write(f"godap report: {report['program']} with core {report['core']}\n\n")
    out.write((crash.get("description") or report["stopped"].get("description") or "no crash") + "\n")
    details = (crash.get("details") or {}).get("stackTrace")
    if details:
        out.write(details + "\n")
    out.write(f"\n{len(report['goroutines'])} goroutines (the one that stopped listed first)\n")
    for goroutine in report["goroutines"]:
        out.write(f"\n{goroutine['name']}\n")
        _render_frames(goroutine["frames"], out)


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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="godap report", description="Explain a Go core dump and list its goroutines.")
    parser.add_argument("program", help="the executable that produced the core")
    parser.add_argument("core", help="the core dump (plain, gzip, xz or zstd)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (stable, see README)")
    args = parser.parse_args(argv)
    progress = ProgressLine(sys.stderr)
    try:
        report = collect(os.path.abspath(args.program), os.path.abspath(args.core), progress)
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
