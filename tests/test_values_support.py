"""Helpers shared by the test_values_* modules (no tests here).

`values_core` opens a session on a core of tests/fixtures/programs/values, built by one Go release
in one mode for amd64 or arm64 and killed by SIGABRT after its manifest; `ValuesCore` finds the holder frames and
checks summaries, allowing `<optimized away>` (never a wrong value) in optimized builds.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import MakeCore
from support import programs
from support.build import ARCHES, BuildOptions, Mode
from support.cores import Core, Trigger
from support.toolchains import Release

from dap_server.goruntime import variables
from dap_server.goruntime.frames import Frame
from dap_server.goruntime.goroutines import Goroutine
from dap_server.goruntime.process import GoProcess
from dap_server.goruntime.values.base import Value
from dap_server.session import Session, SessionOptions

PROGRAM = "values"
OPTIMIZED_AWAY = "<optimized away>"


@dataclass
class ValuesCore:
    release: Release
    mode: Mode
    core: Core
    session: Session
    manifest: dict[int, str] = field(default_factory=dict)

    @property
    def optimized(self) -> bool:
        return self.mode == Mode.OPT

    @property
    def arm64(self) -> bool:
        return self.session.process.program.image.arch.name == "arm64"

    @property
    def process(self) -> GoProcess:
        return self.session.process

    def goroutines_of(self, holder: str) -> list[Goroutine]:
        found = [self.session.goroutine(goid) for goid, name in sorted(self.manifest.items()) if name == holder]
        assert found, f"no goroutine registered as {holder} in {sorted(set(self.manifest.values()))}"
        return [g for g in found if g is not None]

    def frame(self, holder: str, function: str | None = None, index: int = 0) -> Frame:
        """The frame of `function` (default: main.<holder>) in the `index`-th goroutine of `holder`."""
        wanted = function or f"main.{holder}"
        g = self.goroutines_of(holder)[index]
        for frame in self.session.frames(g):
            if frame.function == wanted or (function is None and frame.function.startswith(wanted + "[")):
                return frame
        names = [f.function for f in self.session.frames(g)]
        raise AssertionError(f"goroutine {g.goid} ({holder}) has no frame {wanted}: {names}")

    def arguments(self, holder: str, function: str | None = None, index: int = 0) -> dict[str, Value]:
        return {v.name: v for v in variables.arguments(self.process, self.frame(holder, function, index))}

    def locals(self, holder: str, function: str | None = None, index: int = 0) -> dict[str, Value]:
        return {v.name: v for v in variables.locals(self.process, self.frame(holder, function, index))}

    def globals(self) -> dict[str, Value]:
        return {v.name: v for v in variables.package_globals(self.process, "main")}

    def expect(self, value: Value, summary: str) -> None:
        """The value reads `summary`; an optimized build may instead honestly say it is gone."""
        if self.optimized and value.summary == OPTIMIZED_AWAY:
            return
        assert value.summary == summary, f"{value.name}: {value.summary!r} != {summary!r}"


_SESSIONS: dict[tuple[str, str, str, str], ValuesCore] = {}


def open_values_core(
    make_core: MakeCore,
    release: Release,
    mode: Mode,
    args: tuple[str, ...] = (),
    options: BuildOptions | None = None,
) -> ValuesCore:
    key = (release.version, mode.value, " ".join(args), repr(options))
    found = _SESSIONS.get(key)
    if found is None:
        core = make_core(PROGRAM, list(args), release, mode, trigger=Trigger.SIGABRT, options=options)
        session = Session.open(SessionOptions(program=str(core.exe), core=str(core.core)))
        found = ValuesCore(release, mode, core, session, programs.parse_manifest(core.stdout))
        _SESSIONS[key] = found
    return found


def arch_options(arch: str) -> BuildOptions | None:
    """Build options for a values core of `arch` (None: the native amd64 build)."""
    return None if arch == "amd64" else BuildOptions(arch=arch)


@pytest.fixture(params=ARCHES)
def values_core(
    make_core: MakeCore, go_release: Release, build_mode: Mode, request: pytest.FixtureRequest
) -> ValuesCore:
    """Both architectures: an arm64 core (run under qemu-user) must read the same values."""
    return open_values_core(make_core, go_release, build_mode, options=arch_options(request.param))


def walk(value: Value, depth: int = 3, width: int = 16) -> Iterator[Value]:
    """`value` and its descendants, `depth` levels down, the first `width` children of each."""
    yield value
    if depth == 0:
        return
    for child in value.children(0, width)[:width]:
        yield from walk(child, depth - 1, width)


def copy_core(core: Path, target: Path) -> Path:
    shutil.copyfile(core, target)
    return target
