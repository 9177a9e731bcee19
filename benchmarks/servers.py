"""Start a DAP server (godap on stdio, Delve on a loopback TCP port), open a core, stop it cleanly.

A ``Live`` server carries the ``perf_counter`` taken just before it was spawned
and a memory sampler on its pid; ``finish`` reads the final VmHWM while the
process still exists, then disconnects and makes sure the process group is gone.
"""

from __future__ import annotations

import compileall
import contextlib
import os
import re
import select
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dap import DapError, Message, TimedDap
from .inputs import REPO_ROOT, Input
from .procs import MemorySampler, kill_group

SESSION_TIMEOUT = 180.0
START_TIMEOUT = 30.0
CLOSE_TIMEOUT = 5.0

# Where the dap_server package that is measured lives: the repository, or an install of a snapshot
# of it (see snapshot()), and the interpreter that runs it.
godap_root: Path = REPO_ROOT
godap_python: str = sys.executable
godap_cwd: Path = REPO_ROOT  # where godap runs: for an install, a directory with no dap_server/ in it
installed = False  # godap_python is a virtual environment with the snapshot installed in it
MACHINE = "machine python"  # the label of godap run by this machine's own interpreter (see godap_command)


def snapshot(directory: Path) -> Path:
    """Install a copy of dap_server/ in a virtual environment under ``directory``, and measure that
    install from now on; returns its site-packages.

    The working tree may change while a long run goes on; every godap process of the run then
    still runs the same code. The install is what ``pip install godap`` leaves: the package
    byte-compiled in the environment's site-packages (PYTHONDONTWRITEBYTECODE, set on some
    machines, would otherwise make each process compile every module again), and no ``.pth``
    file that runs code. This machine's interpreter runs code from ``.pth`` files at every start
    (an editable install of godap, a certificate hook), which no user's install has; the
    environment finds the dependencies through a ``.pth`` file that only names their directory.
    ``godap_command(machine=True)`` still measures this machine's own interpreter.
    """
    global godap_root, godap_python, godap_cwd, installed
    venv = directory / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
    )
    package = site_packages / "dap_server"
    shutil.copytree(REPO_ROOT / "dap_server", package, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(package, quiet=1)
    dependencies = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (site_packages / "godap-dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies))
    godap_root, godap_python, godap_cwd, installed = site_packages, str(python), venv, True
    return site_packages


def unsnapshot() -> None:
    """Measure the working tree with this machine's interpreter again."""
    global godap_root, godap_python, godap_cwd, installed
    godap_root, godap_python, godap_cwd, installed = REPO_ROOT, sys.executable, REPO_ROOT, False


def godap_command(machine: bool = False) -> list[str]:
    """``python -m dap_server`` with the install's interpreter, or with this machine's (``machine``)."""
    return [sys.executable if machine else godap_python, "-m", "dap_server"]


def godap_env(machine: bool = False) -> dict[str, str]:
    """The environment of godap processes: the measured dap_server found first.

    The installed environment finds it in its own site-packages (PYTHONPATH, which a test run
    may set to a working tree, is dropped); this machine's interpreter gets it on PYTHONPATH."""
    env = dict(os.environ)
    if installed and not machine:
        env.pop("PYTHONPATH", None)
    else:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(godap_root), env.get("PYTHONPATH")]))
    return env


_LISTENING = re.compile(rb"listening at: 127\.0\.0\.1:(\d+)")


def find_dlv() -> Path | None:
    """``~/go/bin/dlv`` if present, else dlv on PATH."""
    fallback = Path.home() / "go" / "bin" / "dlv"
    if os.access(fallback, os.X_OK):
        return fallback
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(directory) / "dlv"
        if directory and os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class Live:
    name: str  # "godap" or "delve"
    client: TimedDap
    process: subprocess.Popen[bytes]
    spawned: float
    sampler: MemorySampler
    phases: dict[str, float] = field(default_factory=dict)  # seconds
    stopped: Message = field(default_factory=dict)
    peak_rss_mib: float = 0.0
    peak_anon_mib: float = 0.0

    def request(self, command: str, arguments: dict[str, Any] | None = None) -> tuple[Message, float, float]:
        """(response, seconds from send to arrival, arrival stamp)."""
        seq, sent = self.client.send(command, arguments)
        message, stamp = self.client.response(seq, SESSION_TIMEOUT)
        return message, stamp - sent, stamp


def _read_port(process: subprocess.Popen[bytes], deadline: float) -> int:
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.perf_counter()))
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        seen += chunk
        if match := _LISTENING.search(seen):
            return int(match.group(1))
    raise DapError(f"dlv dap did not say where it listens: {seen!r}")


def _drain(fd: int) -> None:
    with contextlib.suppress(OSError):
        while os.read(fd, 65536):
            pass


@contextlib.contextmanager
def _spawned(
    name: str, command: list[str], *, stdio: bool, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    spawned = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=godap_cwd,
        env=env,
        stdin=subprocess.PIPE if stdio else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )
    try:
        yield process, spawned
    except BaseException:
        stderr.seek(0)
        tail = stderr.read()[-2000:].decode(errors="replace")
        if tail.strip():
            print(f"[{name} stderr] {tail}", file=sys.stderr)
        raise
    finally:
        kill_group(process)
        stderr.close()


@contextlib.contextmanager
def godap(machine: bool = False) -> Iterator[Live]:
    """A godap server on stdio: the measured install, or run by this machine's interpreter (``machine``)."""
    command, env = godap_command(machine), godap_env(machine)
    with _spawned("godap", command, stdio=True, env=env) as (process, spawned):
        sampler = MemorySampler(process.pid).start()
        live = Live("godap", TimedDap.over_process(process), process, spawned, sampler)
        try:
            yield live
        finally:
            finish(live)


@contextlib.contextmanager
def delve() -> Iterator[Live]:
    dlv = find_dlv()
    if dlv is None:
        raise DapError("no dlv (expected ~/go/bin/dlv)")
    with _spawned("delve", [str(dlv), "dap", "--listen", "127.0.0.1:0"], stdio=False) as (process, spawned):
        sampler = MemorySampler(process.pid).start()
        deadline = spawned + START_TIMEOUT
        port = _read_port(process, deadline)
        assert process.stdout is not None
        threading.Thread(target=_drain, args=(process.stdout.fileno(),), daemon=True).start()
        live = Live("delve", TimedDap.over_tcp(port, deadline), process, spawned, sampler)
        try:
            yield live
        finally:
            finish(live)


def launch_arguments(live: Live, inp: Input, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    arguments: dict[str, Any] = {"program": str(inp.exe), "coreFilePath": str(inp.core)}
    if live.name == "delve":
        arguments["mode"] = "core"
    arguments["showGlobalVariables"] = True
    arguments.update(extra or {})
    return arguments


def open_core(live: Live, inp: Input, extra: dict[str, Any] | None = None) -> None:
    """initialize → launch → initialized → configurationDone → stopped, with the phases timed."""
    _, _, stamp = live.request(
        "initialize",
        {"adapterID": "go" if live.name == "delve" else "godap", "linesStartAt1": True, "columnsStartAt1": True},
    )
    live.phases["spawn→initialize"] = stamp - live.spawned
    seq, sent = live.client.send("launch", launch_arguments(live, inp, extra))
    live.phases["launch sent"] = sent - live.spawned
    _, stamp = live.client.response(seq, SESSION_TIMEOUT)
    live.phases["launch"] = stamp - sent
    live.client.event("initialized", SESSION_TIMEOUT)
    seq, sent = live.client.send("configurationDone")
    live.client.response(seq, SESSION_TIMEOUT)
    live.stopped, stamp = live.client.event("stopped", SESSION_TIMEOUT)
    live.phases["configurationDone→stopped"] = stamp - sent


def since_launch(live: Live, stamp: float) -> float:
    return stamp - live.spawned - live.phases["launch sent"]


def finish(live: Live) -> None:
    """Record peak memory, then disconnect and stop the server (killing its group if it lingers)."""
    if live.process.poll() is None:
        live.sampler.stop()
    else:
        live.sampler._stop.set()
    live.peak_rss_mib, live.peak_anon_mib = live.sampler.peak_rss_mib, live.sampler.peak_anon_mib
    with contextlib.suppress(DapError, OSError, ValueError):
        seq, _ = live.client.send("disconnect", {})
        live.client.response(seq, CLOSE_TIMEOUT)
    live.client.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        live.process.wait(timeout=CLOSE_TIMEOUT)
    kill_group(live.process)
