"""The `.go.buildinfo` blob: Go version, main module, dependencies and build settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ..binfmt.leb128 import read_uleb

BUILDINFO_MAGIC = b"\xff Go buildinf:"
_FLAG_INLINE_STRINGS = 2
_SENTINEL_LEN = 16
_MAX_STRING = 1 << 20


class ModuleVersion(NamedTuple):
    path: str
    version: str
    sum: str = ""
    replaced_by: str = ""


@dataclass
class BuildInfo:
    go_version: str = ""
    main_path: str = ""
    main_module: ModuleVersion | None = None
    deps: list[ModuleVersion] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def go_minor(self) -> int | None:
        """21 for go1.21.13; None if the version string is not a release (devel builds)."""
        return go_minor(self.go_version)


def go_minor(version: str) -> int | None:
    if not version.startswith("go1."):
        return None
    digits = ""
    for ch in version[4:]:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else None


def _string_at(data: bytes, pos: int) -> tuple[str, int]:
    length, pos = read_uleb(data, pos)
    if length > _MAX_STRING or pos + length > len(data):
        raise ValueError("build info string runs past the section")
    return data[pos : pos + length].decode("utf-8", "replace"), pos + length


def parse_buildinfo(blob: bytes) -> BuildInfo | None:
    """Decode the section; None if it is not a Go 1.18+ build info blob."""
    if not blob.startswith(BUILDINFO_MAGIC) or len(blob) < 32:
        return None
    if not blob[15] & _FLAG_INLINE_STRINGS:
        return None
    try:
        version, pos = _string_at(blob, 32)
        modinfo, _ = _string_at(blob, pos)
    except ValueError:
        return None
    if len(modinfo) >= 2 * _SENTINEL_LEN + 1 and modinfo[-_SENTINEL_LEN - 1] == "\n":
        modinfo = modinfo[_SENTINEL_LEN:-_SENTINEL_LEN]
    info = BuildInfo(go_version=version)
    _parse_modinfo(info, modinfo)
    return info


def _parse_modinfo(info: BuildInfo, text: str) -> None:
    for line in text.splitlines():
        parts = line.split("\t")
        key = parts[0]
        if key == "path" and len(parts) > 1:
            info.main_path = parts[1]
        elif key == "mod" and len(parts) > 2:
            info.main_module = ModuleVersion(parts[1], parts[2], parts[3] if len(parts) > 3 else "")
        elif key == "dep" and len(parts) > 2:
            info.deps.append(ModuleVersion(parts[1], parts[2], parts[3] if len(parts) > 3 else ""))
        elif key == "=>" and len(parts) > 2 and info.deps:
            last = info.deps[-1]
            info.deps[-1] = ModuleVersion(last.path, last.version, last.sum, f"{parts[1]} {parts[2]}")
        elif key == "build" and len(parts) > 1 and "=" in parts[1]:
            name, _, value = parts[1].partition("=")
            info.settings[name] = value
