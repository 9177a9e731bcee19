"""Run Delve (``dlv core``, or ``dlv attach`` to a running process) non-interactively and parse
what it prints.

All commands for one core go to a single ``dlv`` process through an
``--init`` file. Between commands we insert ``print "@@GODAP-<n>@@"``, whose
output (the quoted string) splits stdout into one chunk per command. Delve
reports a failing command as ``<initfile>:<line>: <error>`` on stdout and goes
on with the next line.

Quirks seen with Delve 1.27.2 on cores of Go 1.21-1.27:

* stack listings contain ANSI bold escapes even when stdout is not a tty
  (stripped here);
* ``goroutines`` prints the g's ``waitreason`` whatever its status, so a
  goroutine in a syscall can show a stale ``[sync.Mutex.Lock]``;
* for a goroutine whose user frame is inlined, the ``User:`` location has the
  file:line of the inlined callee but the name of the outer function;
* ``goroutines -t`` stops at 10 frames and prints ``(truncated)``;
* unqualified globals fail when the selected frame is in the runtime: use
  ``main.X``;
* optimized runtime frames print ``(unreadable could not find loclist entry
  ...)`` for most arguments.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import proc

DLV_TIMEOUT = 300.0
DETACH_ANSWER = "n\n"  # to "Would you like to kill the process? [Y/n]"
_MARKER = "@@GODAP-{}@@"
_MARKER_LINE = re.compile(r'^"@@GODAP-(\d+)@@"$')
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

_GOROUTINE = re.compile(
    r"^(?P<current>[* ]) Goroutine (?P<id>\d+) - (?P<kind>User|Runtime|Go|Start): "
    r"(?P<file>.*?):(?P<line>-?\d+) (?P<function>.+?) \((?P<pc>0x[0-9a-f]+)\)"
    r"(?: \(thread (?P<thread>\d+)\))?"
    r"(?: \[(?P<status>.*?)(?: (?P<since>\d+))?\])?$"
)
_FRAME = re.compile(r"^\s*(?P<index>\d+)  0x(?P<pc>[0-9a-f]+) in (?P<function>.+)$")
_FRAME_AT = re.compile(r"^\s+at (?P<file>.*):(?P<line>-?\d+)$")
_ASSIGNMENT = re.compile(r"^(?P<indent>\s*)(?P<name>\S+) = (?P<value>.*)$")
_COUNT = re.compile(r"^\[(?P<count>\d+) goroutines\]$")


class DelveUnavailable(RuntimeError):
    """No dlv binary (a missing prerequisite: support/prerequisites.py)."""


class DelveError(RuntimeError):
    """dlv failed as a whole (not a single command)."""


def find_dlv() -> Path | None:
    """dlv on PATH, else ~/go/bin/dlv (where `go install` puts it)."""
    found = shutil.which("dlv")
    if found:
        return Path(found)
    fallback = Path.home() / "go" / "bin" / "dlv"
    return fallback if os.access(fallback, os.X_OK) else None


@dataclass
class CommandResult:
    command: str
    output: str  # stdout of this command, ANSI escapes removed, error line excluded
    error: str | None = None  # Delve's error message if the command failed


def run_delve(exe: Path, core: Path, commands: Sequence[str], *, timeout: float = DLV_TIMEOUT) -> list[CommandResult]:
    """Run ``commands`` in one ``dlv core`` process; one result per command."""
    return _run(["core", str(exe), str(core)], commands, timeout)


def exec_delve(exe: Path, commands: Sequence[str], *, timeout: float = DLV_TIMEOUT) -> list[CommandResult]:
    """Run ``commands`` in one ``dlv exec`` of ``exe`` (the program is killed at the end)."""
    return _run(["exec", str(exe)], commands, timeout)


def attach_delve(pid: int, exe: Path, commands: Sequence[str], *, timeout: float = DLV_TIMEOUT) -> list[CommandResult]:
    """Run ``commands`` in one ``dlv attach`` to the running ``pid``, then detach and leave the
    process running (``exit`` asks whether to kill it: the answer on stdin is no)."""
    return _run(["attach", str(pid), str(exe)], commands, timeout, answer=DETACH_ANSWER)


def _run(target: list[str], commands: Sequence[str], timeout: float, answer: str | None = None) -> list[CommandResult]:
    dlv = find_dlv()
    if dlv is None:
        raise DelveUnavailable("dlv not found on PATH or in ~/go/bin")
    with tempfile.TemporaryDirectory(prefix="godap-dlv-") as temp:
        init = Path(temp) / "init.dlv"
        lines = [f'print "{_MARKER.format(0)}"']
        for index, command in enumerate(commands, start=1):
            if "\n" in command:
                raise ValueError(f"a Delve command must be one line: {command!r}")
            lines += [command, f'print "{_MARKER.format(index)}"']
        init.write_text("\n".join([*lines, "exit"]) + "\n")
        env = dict(os.environ, TERM="dumb", NO_COLOR="1", XDG_CONFIG_HOME=temp)
        argv = [
            str(dlv),
            *target,
            "--init",
            str(init),
            "--allow-non-terminal-interactive=true",
            "--check-go-version=false",
        ]
        try:
            result = proc.run(argv, timeout=timeout, env=env, cwd=temp, stdin=answer)
        except proc.Timeout as exc:
            raise DelveError(str(exc)) from exc
        return _split_results(_ANSI.sub("", result.stdout), str(init), commands, result.stderr)


def _split_results(stdout: str, init: str, commands: Sequence[str], stderr: str) -> list[CommandResult]:
    chunks: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in stdout.splitlines():
        match = _MARKER_LINE.match(line)
        if match:
            current = chunks.setdefault(int(match[1]) + 1, [])
        elif current is not None:
            current.append(line)
    if len(commands) + 1 not in chunks:
        raise DelveError(f"dlv stopped before the end of its commands:\nstdout:\n{stdout[-3000:]}\nstderr:\n{stderr}")
    error_prefix = f"{init}:"
    results = []
    for index, command in enumerate(commands, start=1):
        output, error = [], None
        for line in chunks.get(index, []):
            # Line 2*index of the init file holds command `index`.
            if line.startswith(f"{error_prefix}{2 * index}: "):
                error = line.split(": ", 1)[1]
            else:
                output.append(line)
        results.append(CommandResult(command, "\n".join(output), error))
    return results


# --- parsers ----------------------------------------------------------------------


@dataclass
class DelveFrame:
    index: int
    pc: int
    function: str
    file: str = ""
    line: int = 0
    variables: dict[str, str] = field(default_factory=dict)  # with `stack -full`


@dataclass
class DelveGoroutine:
    id: int
    current: bool  # the "*" marker: the goroutine of the selected thread
    location_kind: str  # "User", "Runtime", "Go" or "Start"
    file: str
    line: int
    function: str
    pc: int
    thread: int | None = None
    status: str | None = None  # the wait reason in brackets (printed whatever the g's status)
    wait_since: int | None = None  # raw nanotime Delve prints after the reason
    frames: list[DelveFrame] = field(default_factory=list)  # with `goroutines -t`
    truncated: bool = False  # `goroutines -t` stopped at its depth


def parse_goroutines(output: str) -> list[DelveGoroutine]:
    """Parse ``goroutines`` or ``goroutines -t``."""
    goroutines: list[DelveGoroutine] = []
    frames: list[DelveFrame] | None = None
    for line in output.splitlines():
        match = _GOROUTINE.match(line)
        if match:
            since = match["since"]
            goroutine = DelveGoroutine(
                id=int(match["id"]),
                current=match["current"] == "*",
                location_kind=match["kind"],
                file=match["file"],
                line=int(match["line"]),
                function=match["function"],
                pc=int(match["pc"], 16),
                thread=int(match["thread"]) if match["thread"] else None,
                status=match["status"],
                wait_since=int(since) if since else None,
            )
            goroutines.append(goroutine)
            frames = goroutine.frames
        elif line.strip() == "(truncated)" and goroutines:
            goroutines[-1].truncated = True
        elif frames is not None:
            _add_frame_line(frames, line)
    return goroutines


def goroutine_count(output: str) -> int | None:
    """The ``[N goroutines]`` summary line of ``goroutines``."""
    for line in output.splitlines():
        match = _COUNT.match(line)
        if match:
            return int(match["count"])
    return None


def _add_frame_line(frames: list[DelveFrame], line: str) -> None:
    if match := _FRAME.match(line):
        frames.append(DelveFrame(int(match["index"]), int(match["pc"], 16), match["function"]))
    elif frames and (match := _FRAME_AT.match(line)):
        frames[-1].file, frames[-1].line = match["file"], int(match["line"])
    elif frames and (match := _ASSIGNMENT.match(line)):
        frames[-1].variables[match["name"]] = match["value"]


def parse_stack(output: str) -> list[DelveFrame]:
    """Parse ``stack`` / ``goroutine N stack [-full]``."""
    frames: list[DelveFrame] = []
    for line in output.splitlines():
        _add_frame_line(frames, line)
    return frames


def parse_assignments(output: str) -> dict[str, str]:
    """Parse ``args -v``, ``locals -v`` or ``vars -v RE``: name -> value text.

    Multi-line values (``-v``) are joined with newlines; continuation lines
    are those that do not start a new ``name = value`` at column 0.
    """
    values: dict[str, list[str]] = {}
    name: str | None = None
    for line in output.splitlines():
        match = _ASSIGNMENT.match(line)
        if match and not match["indent"]:
            name = match["name"]
            values[name] = [match["value"]]
        elif name is not None:
            values[name].append(line)
    return {key: "\n".join(lines) for key, lines in values.items()}


@dataclass
class WhatIs:
    type: str
    concrete_type: str | None = None  # for interfaces: "Concrete type: *main.Plain"


def parse_whatis(output: str) -> WhatIs:
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        raise ValueError("empty whatis output")
    prefix = "Concrete type: "
    concrete = next((line.removeprefix(prefix) for line in lines if line.startswith(prefix)), None)
    return WhatIs(lines[0], concrete)
