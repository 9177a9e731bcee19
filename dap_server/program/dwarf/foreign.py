"""The compile units of other languages than Go that a cgo program links in (its C files, the
C parts of runtime/cgo), found by pc.

Their DIEs name things through `.debug_str` (DW_FORM_strp), not with the inline strings the Go
linker writes, so the search by name of `info.py` cannot find them; a C frame's function is
found instead from the units' address ranges. The unit headers are walked once, on the first
question, reading only each unit's top DIE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .dies import DIE, DieSource, DwarfError, high_pc, low_pc
from .lists import ListError

DW_LANG_GO = 0x16
_MAX_RANGES = 1 << 16


class ForeignUnits:
    """Units whose DW_AT_language is not Go, by link-time address range."""

    def __init__(self, dwarf: DieSource, units: Callable[[], Iterable[Any]]) -> None:
        self._dwarf = dwarf
        self._units = units  # every unit of .debug_info (pyelftools CompileUnits), in order
        self._languages: dict[int, int | None] = {}  # unit offset -> DW_AT_language
        self._spans: list[tuple[int, int, Any]] | None = None  # (low, high, unit) of foreign units
        self._subprograms: dict[int, list[tuple[int, int, int]]] = {}

    def is_foreign(self, die: DIE) -> bool:
        """Whether `die` belongs to a unit of another language than Go."""
        offset = die.cu.cu_offset
        if offset not in self._languages:
            self._languages[offset] = _language(die.cu.get_top_DIE())
        language = self._languages[offset]
        return language is not None and language != DW_LANG_GO

    def subprogram_at(self, pc: int) -> DIE | None:
        """The DW_TAG_subprogram of a foreign unit whose code holds link-time `pc`."""
        for lo, hi, unit in self._foreign_spans():
            if lo <= pc < hi:
                found = self._subprogram(unit, pc)
                if found is not None:
                    return found
        return None

    def _foreign_spans(self) -> list[tuple[int, int, Any]]:
        if self._spans is None:
            self._spans = []
            try:
                for cu in self._units():
                    top = cu.get_top_DIE()
                    language = self._languages[cu.cu_offset] = _language(top)
                    if language is not None and language != DW_LANG_GO:
                        self._spans += [(lo, hi, cu) for lo, hi in self._ranges(top) if hi > lo]
            except Exception:  # pyelftools raises many kinds on damaged input: keep what was read
                pass
        return self._spans

    def _ranges(self, die: DIE) -> tuple[tuple[int, int], ...]:
        low = low_pc(die)
        ranges = die.attributes.get("DW_AT_ranges")
        if ranges is not None:
            try:
                return tuple(self._dwarf.lists.ranges(int(ranges.value), self._dwarf.unit_base(die))[:_MAX_RANGES])
            except (ListError, DwarfError):
                return ()
        return () if low is None else ((low, high_pc(die, low)),)

    def _subprogram(self, unit: Any, pc: int) -> DIE | None:
        entries = self._subprograms.get(unit.cu_offset)
        if entries is None:
            entries = self._subprograms[unit.cu_offset] = self._unit_subprograms(unit)
        for lo, hi, offset in entries:
            if lo <= pc < hi:
                return self._dwarf.die_at(offset)
        return None

    def _unit_subprograms(self, unit: Any) -> list[tuple[int, int, int]]:
        """(low, high, DIE offset) of the unit's functions with code (declarations have none)."""
        out: list[tuple[int, int, int]] = []
        try:
            for child in unit.get_top_DIE().iter_children():
                if child.tag == "DW_TAG_subprogram":
                    out += [(lo, hi, child.offset) for lo, hi in self._ranges(child)]
        except Exception:  # pyelftools raises many kinds on damaged input: keep what was read
            return out
        return out


def _language(top: DIE) -> int | None:
    attr = top.attributes.get("DW_AT_language")
    return int(attr.value) if attr is not None and isinstance(attr.value, int) else None
