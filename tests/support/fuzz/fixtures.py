"""The real cores the core fuzzing mutates, made (and cached) by the test infrastructure."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .. import cache, toolchains
from ..build import BuildOptions, Mode, build
from ..cores import Core, CoreDumpUnavailable, Trigger, make_core
from ..prerequisites import missing, skips_allowed
from .campaign import Fixture

C_PROGRAM = Path(__file__).resolve().parents[2] / "fixtures" / "programs" / "cprog" / "crash.c"
OLDEST_RELEASE = "1.21"

# name -> (program, args, trigger, build options, release: None for the machine's go)
RECIPES: dict[str, tuple[str, tuple[str, ...], Trigger, BuildOptions | None, str | None]] = {
    "zoo": ("zoo", ("nilderef",), Trigger.SELF, None, None),
    "blocked": ("zoo", ("blocked",), Trigger.SIGABRT, None, None),
    "nested": ("zoo", ("nested",), Trigger.SELF, None, None),
    "values": ("values", (), Trigger.SIGABRT, None, None),
    "rawdwarf": ("zoo", ("nilderef",), Trigger.SELF, BuildOptions(ldflags="-compressdwarf=false"), None),
    "oldgo": ("zoo", ("nilderef",), Trigger.SELF, None, OLDEST_RELEASE),
}


def go_fixture(name: str) -> Fixture:
    """The fixture `name` of RECIPES; fails the test (or skips it, GODAP_ALLOW_SKIPS=1) on a machine
    that cannot make cores."""
    program, args, trigger, options, release_name = RECIPES[name]
    try:
        release = toolchains.release_named(release_name) if release_name else toolchains.local_release()
        core = make_core(build(program, release, Mode.OPT, options), args, trigger)
    except (CoreDumpUnavailable, toolchains.ToolchainError) as exc:
        missing(str(exc))
    return _fixture(name, core)


def c_fixture() -> Fixture | None:
    """A core of a small C program (not Go); without gcc a failure, or None where GODAP_ALLOW_SKIPS=1."""
    if shutil.which("gcc") is None:
        if not skips_allowed():
            missing("gcc is not installed (the foreign-C core fixture needs it)")
        return None
    exe = cache.entry_dir("bin", "cprog-" + cache.file_digest(C_PROGRAM)[:16]) / "crash"
    if not exe.exists():
        exe.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["gcc", "-O0", "-o", str(exe), str(C_PROGRAM)], check=True, timeout=120)
    return _fixture("foreign-c", make_core(exe, (), Trigger.SELF))


def all_fixtures() -> dict[str, Fixture]:
    """Every Go fixture, and the C one (left out without gcc only where GODAP_ALLOW_SKIPS=1)."""
    fixtures = {name: go_fixture(name) for name in RECIPES}
    foreign = c_fixture()
    if foreign is not None:
        fixtures[foreign.name] = foreign
    return fixtures


def _fixture(name: str, core: Core) -> Fixture:
    return Fixture(name, str(core.exe), str(core.core))
