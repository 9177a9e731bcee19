"""Build fixture programs (tests/fixtures/programs/<name>) with a given Go release, cached.

The cache key covers the release, the content and location of every source
file (DWARF records absolute paths), and all build flags; a hit costs one
hash of the sources.
"""

from __future__ import annotations

import enum
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import cache, proc, prune
from .toolchains import CROSS_CC, Release, go_binary, go_env

PROGRAMS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "programs"

BUILD_TIMEOUT = 900.0
# Every GOARCH the tests cover: amd64 natively, arm64 cross-compiled and run under qemu-user.
ARCHES = ("amd64", "arm64")


class Mode(enum.StrEnum):
    """``opt`` is a default build; ``noopt`` disables optimization and inlining everywhere."""

    OPT = "opt"
    NOOPT = "noopt"

    @property
    def gcflags(self) -> list[str]:
        return ["-gcflags=all=-N -l"] if self is Mode.NOOPT else []


class BuildError(RuntimeError):
    """`go build` failed or timed out."""


class CrossCompilerMissing(BuildError):
    """A cgo program for another architecture needs a C cross compiler this machine lacks."""


@dataclass(frozen=True)
class BuildOptions:
    """Everything besides program, release and mode that changes the binary."""

    ldflags: str = ""  # e.g. "-s -w" for a stripped binary
    pie: bool = False
    goexperiment: str = ""
    cgo: bool | None = None  # None: on iff the program imports "C"
    trimpath: bool = False  # record module-relative paths ("zoo/crash.go", "runtime/proc.go")
    arch: str = "amd64"  # GOARCH: "arm64" cross-compiles (cores are made under qemu-user)

    def go_flags(self, mode: Mode) -> list[str]:
        flags = list(mode.gcflags)
        if self.ldflags:
            flags.append(f"-ldflags={self.ldflags}")
        if self.pie:
            flags.append("-buildmode=pie")
        if self.trimpath:
            flags.append("-trimpath")
        return flags


@dataclass(frozen=True)
class Binary:
    """A built fixture: ``exe`` lives in the cache and must not be modified."""

    exe: Path
    program: str
    release: Release
    mode: Mode
    source_dir: Path
    options: BuildOptions
    key: str


def program_dir(program: str) -> Path:
    path = PROGRAMS_DIR / program
    if not (path / "go.mod").is_file():
        raise BuildError(f"no fixture program {program!r} (expected {path}/go.mod)")
    return path


def _source_files(source_dir: Path) -> list[Path]:
    return sorted(path for path in source_dir.rglob("*") if path.is_file() and path.suffix != ".md")


def _uses_cgo(source_dir: Path) -> bool:
    return any('import "C"' in path.read_text() for path in source_dir.rglob("*.go"))


def _build_key(source_dir: Path, release: Release, mode: Mode, options: BuildOptions, cgo: bool, package: str) -> str:
    parts: list[str | bytes] = [
        *([package] if package != "." else []),  # "." keeps the keys of the programs' cached builds
        release.version,
        str(source_dir),
        mode.value,
        *options.go_flags(mode),
        f"goexperiment={options.goexperiment}",
        f"cgo={cgo}",
    ]
    if options.arch != "amd64":  # amd64 builds keep the keys they had before there were others
        parts.append(f"arch={options.arch}")
    for path in _source_files(source_dir):
        parts += [str(path.relative_to(source_dir)), path.read_bytes()]
    return cache.digest(parts)


def build(
    program: str,
    release: Release,
    mode: Mode | str = Mode.OPT,
    options: BuildOptions | None = None,
    *,
    timeout: float = BUILD_TIMEOUT,
) -> Binary:
    """The fixture ``program`` built by ``release`` in ``mode``; builds only on a cache miss."""
    return build_source(program_dir(program), program, release, mode, options, timeout=timeout)


def build_source(
    source_dir: Path,
    program: str,
    release: Release,
    mode: Mode | str = Mode.OPT,
    options: BuildOptions | None = None,
    *,
    package: str = ".",
    timeout: float = BUILD_TIMEOUT,
) -> Binary:
    """``package`` of the module in ``source_dir`` built as ``program`` (cached as `build`)."""
    mode = Mode(mode)
    options = options or BuildOptions()
    cgo = _uses_cgo(source_dir) if options.cgo is None else options.cgo
    key = _build_key(source_dir, release, mode, options, cgo, package)
    arch = "" if options.arch == "amd64" else f"-{options.arch}"
    final = cache.entry_dir("bin", f"{program}-{release.version}{arch}-{mode}-{key[:16]}")
    binary = Binary(final / program, program, release, mode, source_dir, options, key)
    if binary.exe.is_file():
        return binary
    with cache.locked("bin", key):
        if binary.exe.is_file():
            return binary
        with cache.staging_dir(final) as staging:
            command = [go_binary(), "build", "-o", str(staging / program), *options.go_flags(mode), package]
            if cgo and options.arch in CROSS_CC and shutil.which(CROSS_CC[options.arch]) is None:
                raise CrossCompilerMissing(
                    f"{CROSS_CC[options.arch]} is not installed (Debian: gcc-aarch64-linux-gnu); "
                    f"it builds the cgo fixture {program} for {options.arch}"
                )
            env = go_env(release, cgo=cgo, goexperiment=options.goexperiment or None, arch=options.arch)
            _go_build(command, source_dir, env, timeout)
            cache.write_json(
                staging / "build.json",
                {
                    "program": program,
                    "release": release.version,
                    "mode": mode.value,
                    "flags": options.go_flags(mode),
                    "goexperiment": options.goexperiment,
                    "cgo": cgo,
                    "arch": options.arch,
                    "source_dir": str(source_dir),
                },
            )
        prune.drop_superseded_builds(final)
    return binary


def _go_build(command: list[str], source_dir: Path, env: dict[str, str], timeout: float) -> None:
    try:
        result = proc.run(command, cwd=source_dir, env=env, timeout=timeout)
    except proc.Timeout as exc:
        raise BuildError(f"{exc} (GOTOOLCHAIN={env['GOTOOLCHAIN']})") from exc
    if result.returncode != 0:
        raise BuildError(f"{' '.join(command)} (GOTOOLCHAIN={env['GOTOOLCHAIN']}) failed:\n{result.stderr}")
