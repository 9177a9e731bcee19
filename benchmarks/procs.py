"""Processes that never outlive their timeout, and their memory as /proc shows it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any

REAP_TIMEOUT = 10.0
SAMPLE_INTERVAL = 0.01


def kill_group(process: subprocess.Popen[Any]) -> None:
    """SIGKILL the process group of ``process`` (started with start_new_session) and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=REAP_TIMEOUT)


def read_status(pid: int) -> dict[str, int]:
    """The ``kB`` fields of /proc/PID/status (VmHWM, VmRSS, RssAnon, RssFile...), in KiB."""
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, rest = line.partition(":")
                parts = rest.split()
                if len(parts) == 2 and parts[1] == "kB":
                    values[name] = int(parts[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return values


@dataclass
class MemorySampler:
    """Samples /proc/PID/status in a thread: the last VmHWM seen and the largest RssAnon."""

    pid: int
    interval: float = SAMPLE_INTERVAL
    peak_rss_kib: int = 0
    peak_anon_kib: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._loop, name=f"mem-{self.pid}", daemon=True)
        self._thread.start()
        return self

    def sample(self) -> None:
        status = read_status(self.pid)
        if status:
            self.samples += 1
            self.peak_rss_kib = max(self.peak_rss_kib, status.get("VmHWM", 0))
            self.peak_anon_kib = max(self.peak_anon_kib, status.get("RssAnon", 0))

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.interval)

    def stop(self) -> None:
        """Take a last sample (the process must still exist for it to count) and stop."""
        self.sample()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_kib / 1024

    @property
    def peak_anon_mib(self) -> float:
        return self.peak_anon_kib / 1024


@dataclass
class Timed:
    """One whole process: wall seconds, CPU seconds (user+sys), peaks in MiB, exit status."""

    wall: float
    cpu: float
    peak_rss_mib: float
    peak_anon_mib: float
    returncode: int
    stdout_bytes: int
    stdout_lines: int


def run_timed(
    command: list[str],
    *,
    timeout: float,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
) -> Timed:
    """Run ``command`` with ``stdin`` as its input (else /dev/null) and stdout counted (not kept);
    kill its group on timeout.

    Peak RSS is the largest VmHWM sampled (``ru_maxrss`` would include the RSS of this, the forking,
    process, which Linux carries across exec); peak anonymous RSS is the largest RssAnon sampled.
    """
    stdout_r, stdout_w = os.pipe()
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=stdout_w,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(stdout_w)
    if process.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(stdin or b"")
        process.stdin.close()
    sampler = MemorySampler(process.pid).start()
    result: dict[str, Any] = {}

    def reap() -> None:
        _pid, status, usage = os.wait4(process.pid, 0)
        result["end"] = time.perf_counter()
        result["status"] = status
        result["usage"] = usage
        sampler._stop.set()

    count, lines = 0, 0

    def drain() -> None:
        nonlocal count, lines
        while chunk := os.read(stdout_r, 1 << 16):
            count += len(chunk)
            lines += chunk.count(b"\n")

    reaper = threading.Thread(target=reap, daemon=True)
    drainer = threading.Thread(target=drain, daemon=True)
    reaper.start()
    drainer.start()
    reaper.join(timeout)
    if reaper.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        reaper.join(REAP_TIMEOUT)
        drainer.join(REAP_TIMEOUT)
        os.close(stdout_r)
        raise TimeoutError(f"{' '.join(command)} timed out after {timeout:.0f}s")
    process.returncode = os.waitstatus_to_exitcode(result["status"])  # Popen must not wait again
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # anything the command left behind
    drainer.join(REAP_TIMEOUT)
    os.close(stdout_r)
    usage = result["usage"]
    return Timed(
        wall=result["end"] - start,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=sampler.peak_rss_mib,  # not ru_maxrss: that counts the harness's RSS at fork
        peak_anon_mib=sampler.peak_anon_mib,
        returncode=process.returncode,
        stdout_bytes=count,
        stdout_lines=lines,
    )
