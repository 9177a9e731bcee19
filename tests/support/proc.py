"""Subprocesses that can never outlive their timeout.

Every child runs in its own session, so a timeout kills the whole process
group (``go build`` forks compilers; a crashing fixture may have children).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# How long to wait for a killed group to be reaped.
REAP_TIMEOUT = 10.0


class Timeout(RuntimeError):
    """A bounded command ran out of time; its process group was killed."""

    def __init__(self, command: Sequence[str], timeout: float, output: str = "") -> None:
        super().__init__(f"{' '.join(command)} timed out after {timeout:.0f}s")
        self.output = output


def kill_group(process: subprocess.Popen[Any]) -> None:
    """SIGKILL the process group of ``process`` (a session leader) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=REAP_TIMEOUT)


def run(
    command: Sequence[str],
    *,
    timeout: float,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with ``stdin`` as its input (else /dev/null) and text output captured; raise Timeout."""
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        kill_group(process)
        try:
            stdout, stderr = process.communicate(timeout=REAP_TIMEOUT)
        except subprocess.TimeoutExpired:  # a grandchild left the group and holds the pipes
            stdout, stderr = "", ""
        raise Timeout(command, timeout, stdout + stderr) from exc
    return subprocess.CompletedProcess(list(command), process.returncode, stdout, stderr)
