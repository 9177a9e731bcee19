"""`godap processes`: a running Go program is listed with the Go release `go version` reads from its
executable; a process that is not Go (sleep) is not."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import BuildProgram
from support import proc, toolchains
from support.live import running
from support.session import REPO_ROOT, SERVER_COMMAND, server_env
from support.toolchains import Release

GO_VERSION_TIMEOUT = 60.0
LIST_TIMEOUT = 30.0


def _go_version(exe: Path) -> str:
    """What `go version EXE` says built it: "EXE: go1.26.8"."""
    result = proc.run(
        [toolchains.go_binary(), "version", str(exe)],
        env=toolchains.go_env(toolchains.local_release()),
        cwd=exe.parent,
        timeout=GO_VERSION_TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().rpartition(": ")[2]


def _godap_processes(*args: str) -> str:
    result = proc.run([*SERVER_COMMAND, "processes", *args], cwd=REPO_ROOT, env=server_env(), timeout=LIST_TIMEOUT)
    assert result.returncode == 0 and not result.stderr, result.stderr
    return result.stdout


@contextmanager
def _sleeping() -> Iterator[subprocess.Popen[bytes]]:
    sleeper = subprocess.Popen(["sleep", "600"], start_new_session=True)
    try:
        yield sleeper
    finally:
        proc.kill_group(sleeper)


def test_lists_the_go_process_with_its_version_and_not_sleep(build_program: BuildProgram, go_release: Release) -> None:
    binary = build_program("live", go_release)
    with running(binary) as program, _sleeping() as sleeper:
        listed = {entry["pid"]: entry for entry in json.loads(_godap_processes("--json"))}
        text = _godap_processes()
    assert listed.get(program.pid) == {
        "pid": program.pid,
        "name": "live",
        "go_version": _go_version(binary.exe),
        "command_line": [str(arg) for arg in program.process.args],
    }
    assert sleeper.pid not in listed
    assert any(
        line.split()[:3] == [str(program.pid), "live", listed[program.pid]["go_version"]] for line in text.splitlines()
    )
    assert not any(line.split()[:1] == [str(sleeper.pid)] for line in text.splitlines())
