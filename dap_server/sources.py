"""Where the source files recorded in the binary live on this machine.

`substitutePath` rules follow Delve's launch option: `from` is the local path, `to` the path as
recorded in the binary. Standard-library files whose recorded GOROOT is absent are looked up in
a local Go installation of the same release (the go command's toolchain cache first).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import NamedTuple


class PathRule(NamedTuple):
    local: str
    recorded: str


def _replace_prefix(path: str, old: str, new: str) -> str | None:
    if not old:
        return None
    if path == old:
        return new
    sep_old = old if old.endswith("/") else old + "/"
    if path.startswith(sep_old):
        return new.rstrip("/") + "/" + path[len(sep_old) :]
    return None


class SourceMap:
    """Recorded path → local path, and back."""

    def __init__(self, rules: list[PathRule], go_version: str) -> None:
        self._rules = rules
        self._goroots = _candidate_goroots(go_version)
        self._found: dict[str, str] = {}  # local GOROOT file → the path the binary recorded

    def to_local(self, recorded: str) -> str:
        for rule in self._rules:
            mapped = _replace_prefix(recorded, rule.recorded, rule.local)
            if mapped is not None:
                return mapped
        if os.path.isabs(recorded) and os.path.exists(recorded):
            return recorded
        std = _std_relative(recorded)
        if std is not None:
            for root in self._goroots:
                candidate = os.path.join(root, "src", std)
                if os.path.exists(candidate):
                    self._found[candidate] = recorded
                    return candidate
        return recorded

    def to_recorded(self, local: str) -> str:
        if local in self._found:
            return self._found[local]
        for rule in self._rules:
            mapped = _replace_prefix(local, rule.local, rule.recorded)
            if mapped is not None:
                return mapped
        return local


def _std_relative(recorded: str) -> str | None:
    """The path below GOROOT/src of a standard-library file: "runtime/proc.go" for
    ".../go/src/runtime/proc.go", or for "runtime/proc.go" itself (how -trimpath records it)."""
    if recorded.startswith("<"):
        return None
    if os.path.isabs(recorded):
        marker = "/src/"
        idx = recorded.rfind(marker)
        if idx < 0:
            return None
        recorded = recorded[idx + len(marker) :]
    head = recorded.split("/", 1)[0]
    if "." in head or "/" not in recorded or ".." in recorded.split("/"):  # "..": it would climb out of GOROOT
        return None
    return recorded


@lru_cache(maxsize=8)
def _candidate_goroots(go_version: str) -> tuple[str, ...]:
    """Local GOROOTs holding exactly `go_version` first, then the machine's own Go."""
    roots: list[str] = []
    modcache = os.environ.get("GOMODCACHE") or os.path.join(
        os.environ.get("GOPATH") or os.path.expanduser("~/go"), "pkg", "mod"
    )
    if go_version:
        toolchain_dir = os.path.join(modcache, "golang.org")
        try:
            for entry in sorted(os.listdir(toolchain_dir)):
                if entry.startswith(f"toolchain@v0.0.1-{go_version}."):
                    roots.append(os.path.join(toolchain_dir, entry))
        except OSError:
            pass
    machine = os.environ.get("GOROOT")
    if not machine:
        go = _on_path("go")
        if go:
            machine = os.path.dirname(os.path.dirname(os.path.realpath(go)))
    for root in (machine, "/usr/local/go", "/usr/lib/go"):
        if root and os.path.isdir(os.path.join(root, "src")) and root not in roots:
            roots.append(root)
    return tuple(roots)


def _on_path(name: str) -> str | None:
    """The executable `name` in $PATH, as `shutil.which` finds it (importing shutil, with bz2 and
    lzma, costs more start-up than the first stackTrace that asks)."""
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(directory or ".", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None
