"""Make real core files from fixture programs, cached by (binary, args, trigger).

The program runs with ``GOTRACEBACK=crash`` (so a fatal panic or a SIGABRT
ends in a core) and ``RLIMIT_CORE`` raised in the child. Its stdout and
stderr (Go's own traceback) go to files kept next to the core.

A program of another architecture (arm64) runs under Debian's qemu-user, which
writes the guest's core itself (``qemu_<prog>_<time>_<pid>.core`` in the
working directory) and then dies of the same signal, leaving a core of qemu
too, which is deleted.
"""

from __future__ import annotations

import enum
import glob
import gzip
import logging
import lzma
import os
import resource
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple, Protocol, cast

import zstandard

from . import cache, proc
from .build import Binary

log = logging.getLogger(__name__)

CORE_PATTERN = Path("/proc/sys/kernel/core_pattern")
EM_X86_64 = 62
# ELF e_machine -> the qemu-user emulator that runs it on this (x86-64) machine, and where the
# guest's dynamic loader and C library are (Debian's cross toolchain: libc6-arm64-cross).
EMULATORS = {183: "qemu-aarch64"}
GUEST_ROOTS = {"qemu-aarch64": "/usr/aarch64-linux-gnu"}
CORE_USES_PID = Path("/proc/sys/kernel/core_uses_pid")
READY_LINE = "READY"

RUN_TIMEOUT = 120.0
READY_TIMEOUT = 60.0
GCORE_TIMEOUT = 300.0
POLL_INTERVAL = 0.01
# Under qemu-user a program needs this long after READY to reach the state it was READY for (the
# "spin" scenario of the values fixture was seen still in main.main, not yet in main.spinner).
EMULATED_SETTLE = 0.5


class Trigger(enum.StrEnum):
    """How the program comes to dump core."""

    SELF = "self"  # it crashes on its own
    SIGABRT = "sigabrt"  # after READY, we send SIGABRT
    SIGQUIT = "sigquit"  # after READY, we send SIGQUIT
    GCORE = "gcore"  # after READY, gdb's gcore snapshots it, then we kill it (huge, slow)


_SIGNALS = {Trigger.SIGABRT: signal.SIGABRT, Trigger.SIGQUIT: signal.SIGQUIT}


class Scenario(NamedTuple):
    """A fixture program run with `args` until it dumps core the `trigger` way (a test case)."""

    program: str
    args: tuple[str, ...]
    trigger: Trigger = Trigger.SELF


def scenario_ids(scenarios: Sequence[Scenario]) -> list[str]:
    return ["-".join((s.program, *s.args)) for s in scenarios]


class CoreDumpUnavailable(RuntimeError):
    """This machine cannot produce cores for us (a missing prerequisite: support/prerequisites.py)."""


class CoreNotProduced(RuntimeError):
    """The program ran but left no core (a test or fixture bug)."""


@dataclass(frozen=True)
class Core:
    exe: Path
    core: Path
    stdout: str
    stderr: str  # Go's own traceback
    exit_status: int | None  # set if the process exited normally
    signal: int | None  # set if it was killed by a signal
    pid: int
    args: tuple[str, ...]
    trigger: Trigger


class Load(Protocol):
    """Work a program is put under before the signal: it replaces waiting for READY."""

    key: str  # joins the core's cache key

    def start(self, process: subprocess.Popen[bytes], workdir: Path) -> Callable[[], None]:
        """Wait until the program serves, load it; return what ends the load once it died."""
        ...


# --- core_pattern -----------------------------------------------------------------


def ensure_core_pattern() -> str:
    """Return a core_pattern that writes plain files, fixing a piped one when root.

    Raises CoreDumpUnavailable when cores would go to a pipe or an unusable
    directory and we may not change that.
    """
    pattern = CORE_PATTERN.read_text().strip()
    problem = _pattern_problem(pattern)
    if problem is None:
        return pattern
    if os.geteuid() != 0:
        raise CoreDumpUnavailable(f"core_pattern {pattern!r} {problem}, and we are not root to change it")
    try:
        CORE_PATTERN.write_text("core\n")
    except OSError as exc:
        raise CoreDumpUnavailable(f"core_pattern {pattern!r} {problem}; cannot rewrite it: {exc}") from exc
    log.warning("godap tests set core_pattern to 'core' (was %r: %s) (running as root)", pattern, problem)
    return "core"


def _pattern_problem(pattern: str) -> str | None:
    if pattern.startswith("|"):
        return "pipes cores to a program"
    if pattern.startswith("/"):
        directory = Path(pattern.split("%", 1)[0]).parent
        if not (directory.is_dir() and os.access(directory, os.W_OK)):
            return f"writes to {directory}, which is not a writable directory"
    return None


def _core_candidates(pattern: str, cwd: Path, exe: Path, pid: int, sig: int | None) -> list[Path]:
    """The files the kernel may have written for ``pattern`` (see core(5))."""
    values = {
        "%": "%",
        "p": str(pid),
        "P": str(pid),
        "i": "*",
        "I": "*",
        "u": str(os.getuid()),
        "g": str(os.getgid()),
        "s": str(sig or "*"),
        "t": "*",
        "h": socket.gethostname(),
        "e": exe.name[:15],
        "E": str(exe).replace("/", "!"),
        "c": "*",
        "d": "*",
        "f": exe.name,
    }
    expanded, rest = "", pattern
    while "%" in rest:
        head, rest = rest.split("%", 1)
        expanded += glob.escape(head) + values.get(rest[:1], "*")
        rest = rest[1:]
    expanded += glob.escape(rest)
    if "%p" not in pattern and CORE_USES_PID.exists() and CORE_USES_PID.read_text().strip() == "1":
        expanded += f".{pid}"
    base = Path(expanded)
    found = glob.glob(str(base if base.is_absolute() else cwd / base))
    return sorted(Path(path) for path in found)


# --- running ----------------------------------------------------------------------


def _raise_core_limit() -> None:
    """preexec_fn: allow cores of any size in the child."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def _crash_env(emulator: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["GOTRACEBACK"] = "crash"
    env.pop("GODEBUG", None)
    if emulator is not None:  # a cgo program's dynamic loader and libc (QEMU_LD_PREFIX, qemu -L)
        env["QEMU_LD_PREFIX"] = GUEST_ROOTS[Path(emulator).name]
    return env


def _wait_ready(process: subprocess.Popen[bytes], stdout_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if READY_LINE in stdout_path.read_text(errors="replace").splitlines():
            return
        if process.poll() is not None:
            raise CoreNotProduced(f"program exited ({process.returncode}) before printing {READY_LINE}")
        time.sleep(POLL_INTERVAL)
    raise CoreNotProduced(f"no {READY_LINE} line within {timeout:.0f}s")


def _gcore(pid: int, out_prefix: Path) -> Path:
    gcore = shutil.which("gcore")
    if gcore is None:
        raise CoreDumpUnavailable("gdb's gcore is not installed")
    result = proc.run([gcore, "-o", str(out_prefix), str(pid)], timeout=GCORE_TIMEOUT)
    core = out_prefix.with_name(f"{out_prefix.name}.{pid}")
    if result.returncode != 0 or not core.exists():
        raise CoreNotProduced(f"gcore failed ({result.returncode}): {result.stderr.strip()}")
    dig_holes(core)
    return core


def dig_holes(path: Path) -> None:
    """Make the zero pages of a core holes.

    gcore writes Go's reserved address space as real zeros (1 GB+), and qemu-user writes every
    page of the guest's mappings (an arm64 core is some 95% zeros): without holes the arm64 cores
    of one test run alone take 20 GB of disk.
    """
    fallocate = shutil.which("fallocate")
    if fallocate is None:
        log.warning("fallocate not found: core %s stays fully allocated", path)
        return
    proc.run([fallocate, "--dig-holes", str(path)], timeout=GCORE_TIMEOUT)


def _locate_core(pattern: str, workdir: Path, exe: Path, pid: int, returncode: int, stderr: str) -> Path:
    candidates = _core_candidates(pattern, workdir, exe, pid, -returncode if returncode < 0 else None)
    if not candidates:
        raise CoreNotProduced(
            f"{exe.name} exited with {returncode} and left no core (core_pattern {pattern!r}); "
            f"stderr ends:\n{stderr[-2000:]}"
        )
    return candidates[0]


def emulator_for(exe: Path) -> str | None:
    """The emulator an executable of another architecture runs under (None: it runs natively).

    Raises CoreDumpUnavailable when that emulator is not installed.
    """
    with exe.open("rb") as handle:
        machine = int.from_bytes(handle.read(20)[18:20], "little")
    if machine == EM_X86_64:
        return None
    name = EMULATORS.get(machine)
    if name is None:
        raise CoreDumpUnavailable(f"no emulator known for ELF machine {machine} ({exe})")
    path = shutil.which(name)
    if path is None:
        raise CoreDumpUnavailable(f"{name} is not installed (Debian: apt-get install qemu-user); it runs {exe.name}")
    return path


def _emulated_core(workdir: Path, pattern: str, exe: Path, pid: int, returncode: int) -> Path | None:
    """The guest core qemu-user wrote; the core of qemu itself that the kernel wrote is removed."""
    for host_core in _core_candidates(pattern, workdir, exe, pid, -returncode if returncode < 0 else None):
        host_core.unlink()
    found = sorted(workdir.glob(f"qemu_*_{pid}.core"))
    return found[0] if found else None


def _run_to_core(
    exe: Path, args: Sequence[str], trigger: Trigger, workdir: Path, timeout: float, load: Load | None = None
) -> Core:
    pattern = ensure_core_pattern()
    emulator = emulator_for(exe)
    if emulator is not None and trigger is Trigger.GCORE:
        raise CoreDumpUnavailable(f"gcore cannot snapshot a process run under {emulator}")
    stdout_path, stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [*([emulator] if emulator else []), str(exe), *args],
            cwd=workdir,
            env=_crash_env(emulator),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=_raise_core_limit if trigger is not Trigger.GCORE else None,
        )
    stop_load: Callable[[], None] | None = None
    try:
        core_path: Path | None = None
        if load is not None:
            stop_load = load.start(process, workdir)
        elif trigger is not Trigger.SELF:
            _wait_ready(process, stdout_path, min(timeout, READY_TIMEOUT))
        if trigger is not Trigger.SELF:
            if trigger is Trigger.GCORE:
                core_path = _gcore(process.pid, workdir / "gcore")
                proc.kill_group(process)
            else:
                if emulator is not None:  # what follows READY runs some ten times slower emulated
                    time.sleep(EMULATED_SETTLE)
                os.kill(process.pid, _SIGNALS[trigger])
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise CoreNotProduced(f"{exe.name} {' '.join(args)} did not die within {timeout:.0f}s") from exc
    finally:
        if process.returncode is None:
            proc.kill_group(process)
        if stop_load is not None:
            stop_load()
    stderr_text = stderr_path.read_text(errors="replace")
    if emulator is not None:
        core_path = _emulated_core(workdir, pattern, Path(emulator), process.pid, returncode)
        if core_path is not None:
            dig_holes(core_path)
    if core_path is None:
        core_path = _locate_core(pattern, workdir, exe, process.pid, returncode, stderr_text)
    final_core = workdir / "core"
    if core_path != final_core:
        shutil.move(core_path, final_core)
    return Core(
        exe=exe,
        core=final_core,
        stdout=stdout_path.read_text(errors="replace"),
        stderr=stderr_text,
        exit_status=returncode if returncode >= 0 else None,
        signal=-returncode if returncode < 0 else None,
        pid=process.pid,
        args=tuple(args),
        trigger=trigger,
    )


# --- cache ------------------------------------------------------------------------


def _load(entry: Path, exe: Path) -> Core:
    meta = cache.read_json(entry / "meta.json")
    return Core(
        exe=exe,
        core=entry / "core",
        stdout=(entry / "stdout.txt").read_text(errors="replace"),
        stderr=(entry / "stderr.txt").read_text(errors="replace"),
        exit_status=meta["exit_status"],
        signal=meta["signal"],
        pid=meta["pid"],
        args=tuple(meta["args"]),
        trigger=Trigger(meta["trigger"]),
    )


def make_core(
    binary: Binary | Path,
    args: Sequence[str] = (),
    trigger: Trigger | str = Trigger.SELF,
    *,
    timeout: float = RUN_TIMEOUT,
    load: Load | None = None,
) -> Core:
    """A core of ``binary`` run with ``args``, made the ``trigger`` way (cached), under ``load``
    if given (instead of waiting for READY).

    ``Core.exe`` is the cached executable (a core is only valid with the exact
    binary that made it).
    """
    if isinstance(binary, Binary):
        exe, exe_key = binary.exe, binary.key
    else:
        exe = Path(binary)
        exe_key = cache.file_digest(exe)
    trigger = Trigger(trigger)
    key = cache.digest([exe_key, trigger.value, *args, *([load.key] if load is not None else [])])
    entry = cache.entry_dir("cores", f"{exe.name}-{trigger}-{key[:16]}")
    if (entry / "meta.json").exists():
        return _load(entry, exe)
    with cache.locked("core", key):
        if not (entry / "meta.json").exists():
            with cache.staging_dir(entry) as staging:
                core = _run_to_core(exe, args, trigger, staging, timeout, load)
                cache.write_json(
                    staging / "meta.json",
                    {
                        "exe": str(exe),
                        "args": list(args),
                        "trigger": trigger.value,
                        "pid": core.pid,
                        "exit_status": core.exit_status,
                        "signal": core.signal,
                    },
                )
    return _load(entry, exe)


# --- derived copies ---------------------------------------------------------------

COMPRESSORS = ("gz", "xz", "zst")
_CHUNK = 1 << 20


def _open_compressed_writer(path: Path, fmt: str) -> BinaryIO:
    if fmt == "gz":
        return cast(BinaryIO, gzip.open(path, "wb", compresslevel=1))
    if fmt == "xz":
        return cast(BinaryIO, lzma.open(path, "wb", preset=0))
    if fmt == "zst":
        return cast(BinaryIO, zstandard.ZstdCompressor(level=3).stream_writer(path.open("wb")))
    raise ValueError(f"unknown compression {fmt!r}; expected one of {COMPRESSORS}")


def _derived(core: Core | Path, suffix: str, write: Callable[[Path, Path], None]) -> Path:
    """``core.<suffix>`` next to the core, written once under a lock via a temp file."""
    source = core.core if isinstance(core, Core) else Path(core)
    target = source.with_name(f"{source.name}.{suffix}")
    if target.exists():
        return target
    with cache.locked("derived", cache.digest([str(target)])):
        if not target.exists():
            temp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
            try:
                write(source, temp)
                temp.rename(target)
            finally:
                temp.unlink(missing_ok=True)
    return target


def compressed_copy(core: Core | Path, fmt: str) -> Path:
    """A ``gz``, ``xz`` or ``zst`` compressed copy of the core (cached next to it)."""

    def write(source: Path, temp: Path) -> None:
        with source.open("rb") as src, _open_compressed_writer(temp, fmt) as dst:
            shutil.copyfileobj(src, dst, _CHUNK)

    return _derived(core, fmt, write)


def truncated_copy(core: Core | Path, offset: int) -> Path:
    """A copy of the core's first ``offset`` bytes (holes kept as holes)."""

    def write(source: Path, temp: Path) -> None:
        with source.open("rb") as src, temp.open("wb") as dst:
            for start, end in _data_extents(src.fileno(), min(offset, os.fstat(src.fileno()).st_size)):
                src.seek(start)
                dst.seek(start)
                remaining = end - start
                while remaining:
                    chunk = src.read(min(_CHUNK, remaining))
                    dst.write(chunk)
                    remaining -= len(chunk)
            dst.truncate(offset)

    return _derived(core, f"trunc-{offset}", write)


def _data_extents(fd: int, limit: int) -> list[tuple[int, int]]:
    """(start, end) ranges below ``limit`` that hold data, per SEEK_DATA/SEEK_HOLE."""
    extents = []
    position = 0
    while position < limit:
        try:
            start = os.lseek(fd, position, os.SEEK_DATA)
        except OSError:  # ENXIO: only a hole is left
            break
        if start >= limit:
            break
        end = min(os.lseek(fd, start, os.SEEK_HOLE), limit)
        extents.append((start, end))
        position = end
    return extents
