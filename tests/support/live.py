"""A fixture program left running for a debugger to attach to (tests/fixtures/programs/live).

`LiveProgram` starts it, reads its stdout on a thread (the goroutine manifest, READY, then one
`HB n` heartbeat every 20 ms), and at the end makes it print its own traceback (SIGQUIT with
GOTRACEBACK=all) to compare with what the debugger showed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from . import proc, traceback
from .build import Binary

READY_TIMEOUT = 120.0
HEARTBEAT_TIMEOUT = 10.0
QUIT_TIMEOUT = 60.0


class LiveProgram:
    """The running program; `lines` grows as it prints."""

    def __init__(self, binary: Binary, goroutines: int, heap_mib: int = 0, prefix: Sequence[str] = ()) -> None:
        """`prefix` runs the program through another command (setpriv, to run it as another user)."""
        self.binary = binary
        self.process = subprocess.Popen(
            [*prefix, str(binary.exe), str(goroutines), str(heap_mib)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "GOTRACEBACK": "all"},
            start_new_session=True,
        )
        self.pid = self.process.pid
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(stream, into), daemon=True)
            for stream, into in ((self.process.stdout, self.lines), (self.process.stderr, self._stderr))
        ]
        for reader in self._readers:
            reader.start()
        self._wait_for(lambda: "READY" in self.lines, READY_TIMEOUT, "READY")
        self.manifest = {int(parts[1]): parts[2] for parts in (line.split() for line in self.lines) if parts[0] == "G"}

    def _read(self, stream: IO[str], into: list[str]) -> None:
        for line in stream:
            with self._changed:
                into.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _wait_for(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: done() or self.process.poll() is not None, timeout):
                raise AssertionError(f"live: no {what} within {timeout:.0f} s; stdout ends {self.lines[-3:]}")
            if not done():
                raise AssertionError(f"live exited ({self.process.returncode}) before {what}: {self.stderr}")

    @property
    def stderr(self) -> str:
        return "\n".join(self._stderr)

    def heartbeats(self) -> int:
        """The last heartbeat printed so far."""
        beats = [int(line.split()[1]) for line in self.lines[-50:] if line.startswith("HB ")]
        return beats[-1] if beats else 0

    def wait_heartbeats_past(self, beat: int, timeout: float = HEARTBEAT_TIMEOUT) -> int:
        """Block until a heartbeat after `beat` is printed (the program runs); returns it."""
        self._wait_for(lambda: self.heartbeats() > beat, timeout, f"heartbeat after HB {beat}")
        return self.heartbeats()

    def spawned(self, count: int, timeout: float = HEARTBEAT_TIMEOUT) -> list[int]:
        """The ids of the goroutines SIGUSR1 started, once `count` of them have said so."""

        def ids() -> list[int]:
            return [int(line.split()[1]) for line in self.lines if line.startswith("SPAWNED ")]

        self._wait_for(lambda: len(ids()) >= count, timeout, f"{count} SPAWNED lines")
        return ids()

    def state(self) -> tuple[str, int]:
        """(state letter, TracerPid) from /proc/PID/status: "t" is stopped by a tracer."""
        fields = dict(
            line.split(":\t", 1) for line in Path(f"/proc/{self.pid}/status").read_text().splitlines() if ":\t" in line
        )
        return fields["State"].split()[0], int(fields["TracerPid"])

    def quit_traceback(self) -> traceback.Traceback:
        """SIGQUIT: Go prints every goroutine and exits; its traceback, parsed."""
        os.kill(self.pid, signal.SIGQUIT)
        try:
            self.process.wait(QUIT_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"live did not exit within {QUIT_TIMEOUT:.0f} s of SIGQUIT") from exc
        for reader in self._readers:
            reader.join(QUIT_TIMEOUT)  # the pipes close with the process: read to their ends
        return traceback.parse(self.stderr)

    def stop(self) -> None:
        if self.process.poll() is None:
            proc.kill_group(self.process)
        self.process.wait()


@contextmanager
def running(
    binary: Binary, goroutines: int = 0, heap_mib: int = 0, prefix: Sequence[str] = ()
) -> Iterator[LiveProgram]:
    program = LiveProgram(binary, goroutines, heap_mib, prefix)
    try:
        yield program
    finally:
        program.stop()
