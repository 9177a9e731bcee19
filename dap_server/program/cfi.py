"""Call-frame information from the executable's `.eh_frame`, for the C frames of cgo programs.

Go code never needs this (pclntab's pcsp is exact); C functions linked into the executable do.
Only the rules a frame-pointer unwinder needs are kept: how to compute the CFA, and where the
return address and the caller's frame pointer (RBP on amd64, x29 on arm64) were saved.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, NamedTuple

from ..binfmt.arch import Arch
from .dwarf.info import open_pyelftools
from .elf_image import ElfImage


class FrameRule(NamedTuple):
    """At some pc: CFA = register `cfa_register` + `cfa_offset`; saved return address and frame
    pointer at CFA + offset (None: not saved, so still in its register)."""

    cfa_register: int
    cfa_offset: int
    ra_offset: int | None
    fp_offset: int | None


class CallFrameTable:
    """FDEs of `.eh_frame` by address range; decoded on first use per function."""

    def __init__(self, image: ElfImage) -> None:
        self._image = image
        self._starts: list[int] | None = None
        self._fdes: list[Any] = []
        self._decoded: dict[int, list[tuple[int, FrameRule | None]]] = {}

    def _load(self) -> None:
        self._starts = []
        if self._image.section(".eh_frame") is None:
            return
        try:
            entries = open_pyelftools(self._image, {".eh_frame"}).EH_CFI_entries()
        except Exception:  # pyelftools raises many kinds on damaged input
            return
        fdes = [e for e in entries if "initial_location" in getattr(e, "header", {})]
        fdes.sort(key=lambda fde: fde.header["initial_location"])
        self._fdes = fdes
        self._starts = [fde.header["initial_location"] for fde in fdes]

    def rule_at(self, link_pc: int) -> FrameRule | None:
        """The unwinding rule at a link-time pc, or None when no FDE covers it."""
        if self._starts is None:
            self._load()
        assert self._starts is not None
        i = bisect_right(self._starts, link_pc) - 1
        if i < 0:
            return None
        fde = self._fdes[i]
        start = fde.header["initial_location"]
        if link_pc >= start + fde.header["address_range"]:
            return None
        rows = self._decoded.get(start)
        if rows is None:
            rows = _decode(fde, self._image.arch)
            self._decoded[start] = rows
        j = bisect_right([pc for pc, _ in rows], link_pc) - 1
        return rows[j][1] if j >= 0 else None


def _decode(fde: Any, arch: Arch) -> list[tuple[int, FrameRule | None]]:
    try:
        table = fde.get_decoded().table
    except Exception:  # pyelftools raises many kinds on damaged input
        return []
    rows: list[tuple[int, FrameRule | None]] = []
    for row in table:
        cfa = row.get("cfa")
        rule = None
        if cfa is not None and cfa.reg is not None and cfa.expr is None:
            rule = FrameRule(cfa.reg, cfa.offset, _offset(row.get(arch.dwarf_ra)), _offset(row.get(arch.dwarf_fp)))
        rows.append((row["pc"], rule))
    return rows


def _offset(rule: Any) -> int | None:
    if rule is None or getattr(rule, "type", None) != "OFFSET":
        return None
    return int(rule.arg)
