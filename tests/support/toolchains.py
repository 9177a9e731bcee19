"""The Go releases the tests build fixtures with.

The machine's own ``go`` is one release; the others are selected with
``GOTOOLCHAIN=goX.Y.Z`` (the go command downloads them from the module proxy
once and then works offline). ``GODAP_GO_VERSIONS`` narrows the set, e.g.
``GODAP_GO_VERSIONS=1.21,local`` or ``GODAP_GO_VERSIONS=go1.27.3``.
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import proc

# Releases under test besides the machine's own go.
PINNED_RELEASES = (
    "go1.21.13",
    "go1.22.12",
    "go1.23.12",
    "go1.24.11",
    "go1.25.5",
    "go1.27.3",
)

SELECTION_ENV = "GODAP_GO_VERSIONS"
LOCAL = "local"

# Variables from the caller's environment that would change what `go build` makes.
_SCRUBBED_ENV = (
    "GOOS",
    "GOARCH",
    "GOEXPERIMENT",
    "GOFLAGS",
    "GOTOOLCHAIN",
    "CGO_ENABLED",
    "GOWORK",
    "GO111MODULE",
)

GO_COMMAND_TIMEOUT = 600.0


class ToolchainError(RuntimeError):
    """The go command is missing or a release cannot be used."""


@dataclass(frozen=True)
class Release:
    """One Go release: ``version`` like ``go1.21.13``, ``toolchain`` the GOTOOLCHAIN value."""

    version: str
    toolchain: str

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return parse_version(self.version)

    @property
    def minor(self) -> str:
        """``1.21`` for ``go1.21.13``."""
        return ".".join(str(part) for part in self.version_tuple[:2])

    @property
    def is_local(self) -> bool:
        return self.toolchain == LOCAL

    def at_least(self, major: int, minor: int) -> bool:
        return self.version_tuple[:2] >= (major, minor)

    def __str__(self) -> str:
        return self.version


def parse_version(version: str) -> tuple[int, ...]:
    """``go1.21.13`` -> (1, 21, 13); ``go1.26rc1`` -> (1, 26)."""
    digits = version.removeprefix("go")
    parts: list[int] = []
    for piece in digits.split("."):
        number = ""
        for char in piece:
            if not char.isdigit():
                break
            number += char
        if not number:
            break
        parts.append(int(number))
        if len(number) != len(piece):
            break
    if len(parts) < 2:
        raise ToolchainError(f"not a Go version: {version!r}")
    return tuple(parts)


def go_binary() -> str:
    go = shutil.which("go")
    if go is None:
        raise ToolchainError("no `go` on PATH")
    return go


# C cross compilers for cgo programs of another architecture (Debian's gcc-<triplet> packages).
CROSS_CC = {"arm64": "aarch64-linux-gnu-gcc"}


def go_env(
    release: Release, *, cgo: bool = False, goexperiment: str | None = None, arch: str = "amd64"
) -> dict[str, str]:
    """Environment for running ``go`` as ``release``, building for linux/``arch``.

    ``-buildvcs=false`` keeps builds from depending on the state of the
    surrounding git checkout.
    """
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED_ENV}
    env.update(
        GOTOOLCHAIN=release.toolchain,
        GOFLAGS="-mod=mod -buildvcs=false",
        CGO_ENABLED="1" if cgo else "0",
        GOWORK="off",
    )
    if goexperiment:
        env["GOEXPERIMENT"] = goexperiment
    if arch != "amd64":
        env["GOARCH"] = arch
        if cgo:
            env["CC"] = CROSS_CC[arch]
    return env


@functools.cache
def _reported_version(toolchain: str) -> str:
    probe = Release("go0.0", toolchain)
    try:
        result = proc.run(
            [go_binary(), "env", "GOVERSION"], env=go_env(probe), timeout=GO_COMMAND_TIMEOUT, cwd=Path.home()
        )
    except proc.Timeout as exc:
        raise ToolchainError(f"GOTOOLCHAIN={toolchain}: {exc}") from exc
    if result.returncode != 0:
        raise ToolchainError(f"GOTOOLCHAIN={toolchain} go env GOVERSION failed: {result.stderr.strip()}")
    return result.stdout.strip()


def exact_version(release: Release) -> str:
    """The version string the release's go command reports (``go env GOVERSION``)."""
    return _reported_version(release.toolchain)


@functools.cache
def local_release() -> Release:
    version = _reported_version(LOCAL)
    return Release(version, LOCAL)


def _sorted(releases: list[Release]) -> list[Release]:
    return sorted(releases, key=lambda release: release.version_tuple)


def all_releases() -> list[Release]:
    """The machine's go plus the pinned releases, oldest first, without duplicates."""
    local = local_release()
    releases = [local]
    for version in PINNED_RELEASES:
        if version != local.version:
            releases.append(Release(version, version))
    return _sorted(releases)


def _matches(release: Release, token: str) -> bool:
    if token == LOCAL:
        return release.is_local
    wanted = parse_version(token if token.startswith("go") else "go" + token)
    return release.version_tuple[: len(wanted)] == wanted


def selected_releases(selection: str | None = None) -> list[Release]:
    """The releases named by ``selection`` (default: ``$GODAP_GO_VERSIONS``; empty = all)."""
    if selection is None:
        selection = os.environ.get(SELECTION_ENV, "")
    releases = all_releases()
    tokens = [token.strip() for token in selection.split(",") if token.strip()]
    if not tokens:
        return releases
    chosen: list[Release] = []
    for token in tokens:
        matching = [release for release in releases if _matches(release, token)]
        if not matching:
            known = ", ".join(release.version for release in releases)
            raise ToolchainError(f"{SELECTION_ENV}: {token!r} matches none of {known}")
        chosen.extend(release for release in matching if release not in chosen)
    return _sorted(chosen)


def release_named(name: str) -> Release:
    """The release for ``local``, ``1.21``, ``go1.21.13``... among all releases (ignores the selection)."""
    matching = [release for release in all_releases() if _matches(release, name)]
    if not matching:
        raise ToolchainError(f"no Go release matches {name!r}")
    return matching[-1]
