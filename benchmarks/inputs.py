"""The cores the benchmarks open, made once and cached.

* ``small``: the ``zoo`` fixture crashing on its own (``nilderef``, about 25 goroutines).
* ``g10`` … ``g100000``: the ``many`` fixture with N parked goroutines, killed with SIGABRT.
* ``gocmd``: cmd/go built from GOROOT, running ``gocmd build -a std`` and aborted after a few seconds.
* ``compile``: cmd/compile built from GOROOT, compiling ``cmd/compile/internal/ssa`` through a
  ``-toolexec`` wrapper (``toolexec_abort.py``) that runs the fresh binary and aborts it.

The fixture cores come from ``tests/support`` (cached in ``~/.cache/godap-fixtures``); the
big-binary ones are cached under ``~/.cache/godap-fixtures/bench/<go version>/``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .procs import kill_group

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "tests"))

from support import cache, cores  # noqa: E402
from support.build import Mode, build  # noqa: E402
from support.cores import Trigger, make_core  # noqa: E402
from support.toolchains import go_binary, local_release  # noqa: E402

GOROUTINE_COUNTS = (10, 1_000, 10_000, 100_000)
BUILD_TIMEOUT = 1800.0
GOCMD_ABORT_AFTER = 6.0
COMPILE_ABORT_AFTER = 4.0
RUN_TIMEOUT = 900.0


@dataclass(frozen=True)
class Input:
    name: str  # small, g10, ..., gocmd, compile
    exe: Path
    core: Path
    kind: str  # "small", "many" or "big"

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "exe": str(self.exe),
            "core": str(self.core),
            "exe_mb": round(self.exe.stat().st_size / 1e6, 1),
            "core_apparent_mb": round(self.core.stat().st_size / 1e6, 1),
            "core_on_disk_mb": round(self.core.stat().st_blocks * 512 / 1e6, 1),
        }


class InputError(RuntimeError):
    """An input could not be made."""


# --- fixtures from tests/support ---------------------------------------------------------


def small() -> Input:
    binary = build("zoo", local_release(), Mode.OPT)
    core = make_core(binary, ("nilderef",), Trigger.SELF)
    return Input("small", core.exe, core.core, "small")


def many(count: int) -> Input:
    binary = build("many", local_release(), Mode.OPT)
    core = make_core(binary, (str(count),), Trigger.SIGABRT, timeout=RUN_TIMEOUT)
    return Input(f"g{count}", core.exe, core.core, "many")


# --- big binaries built from GOROOT ----------------------------------------------------------


def bench_dir() -> Path:
    return cache.cache_root() / "bench" / local_release().version


def _go_env(gocache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GOFLAGS", "GOOS", "GOARCH", "GOEXPERIMENT")}
    env.update(GOTOOLCHAIN="local", GOCACHE=str(gocache), CGO_ENABLED="0", GOWORK="off")
    env.pop("GODEBUG", None)
    return env


def _run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> None:
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        kill_group(process)
        raise InputError(f"{' '.join(command)} timed out after {timeout:.0f}s") from exc
    if process.returncode != 0:
        raise InputError(f"{' '.join(command)} failed ({process.returncode}):\n{output.decode(errors='replace')}")


def _go_build_tool(package: str, out: Path, gocache: Path) -> None:
    if out.is_file():
        return
    tmp = out.with_name(out.name + ".tmp")
    _run([go_binary(), "build", "-o", str(tmp), package], cwd=out.parent, env=_go_env(gocache), timeout=BUILD_TIMEOUT)
    tmp.rename(out)


def _raise_core_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def find_core(directory: Path, pid: int) -> Path:
    """The core the kernel wrote for ``pid`` in ``directory`` (core_pattern must be plain ``core``)."""
    for candidate in (directory / f"core.{pid}", directory / "core"):
        if candidate.is_file():
            return candidate
    raise InputError(f"no core for pid {pid} in {directory}")


def _finish(entry: Path, exe: Path, core: Path, meta: dict[str, object]) -> None:
    final_core = entry / "core"
    if core != final_core:
        shutil.move(core, final_core)
    (entry / "meta.json").write_text(json.dumps({"exe": str(exe), **meta}, indent=2) + "\n")


def gocmd() -> Input:
    """cmd/go running ``build -a std``, aborted with SIGABRT after a few seconds."""
    entry = bench_dir() / "gocmd"
    exe, core = entry / "gocmd", entry / "core"
    if (entry / "meta.json").is_file():
        return Input("gocmd", exe, core, "big")
    with cache.locked("bench", f"gocmd-{local_release().version}"):
        if not (entry / "meta.json").is_file():
            entry.mkdir(parents=True, exist_ok=True)
            cores.ensure_core_pattern()
            _go_build_tool("cmd/go", exe, entry / "gocache")
            work = entry / "run"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            env = _go_env(work / "gocache")
            env["GOTRACEBACK"] = "crash"
            process = subprocess.Popen(
                [str(exe), "build", "-a", "std"],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_raise_core_limit,
            )
            try:
                time.sleep(GOCMD_ABORT_AFTER)
                if process.poll() is not None:
                    raise InputError(f"gocmd build -a std ended ({process.returncode}) before the abort")
                os.kill(process.pid, signal.SIGABRT)
                process.wait(timeout=120)
            finally:
                kill_group(process)
            _finish(entry, exe, find_core(work, process.pid), {"abort_after_s": GOCMD_ABORT_AFTER})
            shutil.rmtree(work, ignore_errors=True)
    return Input("gocmd", exe, core, "big")


def compile_core() -> Input:
    """cmd/compile compiling cmd/compile/internal/ssa, aborted through a -toolexec wrapper."""
    entry = bench_dir() / "compile"
    exe, core = entry / "compile", entry / "core"
    if (entry / "meta.json").is_file():
        return Input("compile", exe, core, "big")
    with cache.locked("bench", f"compile-{local_release().version}"):
        if not (entry / "meta.json").is_file():
            entry.mkdir(parents=True, exist_ok=True)
            cores.ensure_core_pattern()
            gocache = entry / "gocache"
            _go_build_tool("cmd/compile", exe, gocache)
            out = entry / "run"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            wrapper = Path(__file__).resolve().parent / "toolexec_abort.py"
            env = _go_env(gocache)
            env.update(
                BENCH_COMPILE=str(exe),
                BENCH_OUT=str(out),
                BENCH_ABORT_AFTER=str(COMPILE_ABORT_AFTER),
                BENCH_PACKAGE="cmd/compile/internal/ssa",
            )
            command = [
                go_binary(),
                "build",
                f"-toolexec={sys.executable} {wrapper}",
                "-gcflags=cmd/compile/internal/ssa=-c=2",
                "cmd/compile/internal/ssa",
            ]
            process = subprocess.Popen(
                command,
                cwd=out,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                process.wait(timeout=BUILD_TIMEOUT)
            except subprocess.TimeoutExpired as exc:
                raise InputError("go build with the aborting -toolexec wrapper timed out") from exc
            finally:
                kill_group(process)
            done = out / "done.json"
            if not done.is_file():
                raise InputError(f"the -toolexec wrapper never ran the compiler on ssa (see {out})")
            info = json.loads(done.read_text())
            _finish(entry, exe, Path(info["core"]), {"abort_after_s": COMPILE_ABORT_AFTER, **info})
    return Input("compile", exe, core, "big")


def all_inputs(quick: bool) -> list[Input]:
    """Every input of a run; ``quick`` keeps the small core and the 10- and 1,000-goroutine cores."""
    if quick:
        return [small(), many(10), many(1_000)]
    return [small(), *(many(n) for n in GOROUTINE_COUNTS), gocmd(), compile_core()]


def by_name(name: str) -> Input:
    if name == "small":
        return small()
    if name == "gocmd":
        return gocmd()
    if name == "compile":
        return compile_core()
    if name.startswith("g") and name[1:].isdigit():
        return many(int(name[1:]))
    raise InputError(f"unknown input {name!r}")
