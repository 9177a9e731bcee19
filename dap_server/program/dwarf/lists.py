"""Location lists and range lists as the Go toolchain writes them, in DWARF 4 and DWARF 5.

DWARF 4 (Go ≤ 1.24): `.debug_loc` / `.debug_ranges` hold (begin, end) address pairs, a begin of
all ones selecting a new base address. DWARF 5 (Go ≥ 1.25): `.debug_loclists` / `.debug_rnglists`
hold DW_LLE_* / DW_RLE_* entries whose indexed addresses live in `.debug_addr` after the unit's
DW_AT_addr_base. Only the one list asked for is decoded; nothing walks a whole section.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import NamedTuple

from ...binfmt.leb128 import LebError, read_uleb

_U64 = struct.Struct("<Q")
_U16 = struct.Struct("<H")
_MAX_ENTRIES = 100_000
_BASE_SELECTION = 0xFFFFFFFFFFFFFFFF

# What a DWARF 5 list entry holds. Location and range lists encode entries alike: their codes
# (DW_LLE_* and DW_RLE_*) agree up to offset_pair (4); past it the location lists have
# default_location (5), which shifts the remaining codes by one.
_END, _BASEX, _STARTX_ENDX, _STARTX_LEN, _OFFSET_PAIR, _DEFAULT, _BASE, _START_END, _START_LEN = range(9)
_LLE_KINDS = (_END, _BASEX, _STARTX_ENDX, _STARTX_LEN, _OFFSET_PAIR, _DEFAULT, _BASE, _START_END, _START_LEN)
_RLE_KINDS = (_END, _BASEX, _STARTX_ENDX, _STARTX_LEN, _OFFSET_PAIR, _BASE, _START_END, _START_LEN)


class ListError(Exception):
    """A location or range list runs past its section or uses an entry kind Go never writes."""


class UnitBase(NamedTuple):
    """What list decoding needs from the compile unit: its version, base address and addr_base."""

    version: int
    low_pc: int
    addr_base: int


class LocationEntry(NamedTuple):
    """[begin, end) link-time addresses where the expression applies."""

    begin: int
    end: int
    expr: bytes


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    try:
        return read_uleb(data, pos)
    except LebError as exc:
        raise ListError(str(exc)) from exc


def _pairs_v4(
    data: bytes, offset: int, base: int, section: str, *, with_expression: bool
) -> Iterator[tuple[int, int, bytes]]:
    """(begin, end, expression) of a DWARF 4 location or range list, base selections applied."""
    pos = offset
    kind = "location" if with_expression else "range"
    for _ in range(_MAX_ENTRIES):
        if pos + 16 > len(data):
            raise ListError(f"{kind} list at {offset:#x} runs past {section}")
        begin, end = struct.unpack_from("<QQ", data, pos)
        pos += 16
        if begin == 0 and end == 0:
            return
        if begin == _BASE_SELECTION:
            base = end
            continue
        expr = b""
        if with_expression:
            (length,) = _U16.unpack_from(data, pos)
            expr = bytes(data[pos + 2 : pos + 2 + length])
            pos += 2 + length
        yield base + begin, base + end, expr


class ListReader:
    """Decodes single lists from the raw list sections of one executable."""

    def __init__(self, sections: dict[str, bytes | None]) -> None:
        self._loc = sections.get(".debug_loc") or b""
        self._loclists = sections.get(".debug_loclists") or b""
        self._ranges = sections.get(".debug_ranges") or b""
        self._rnglists = sections.get(".debug_rnglists") or b""
        self._addr = sections.get(".debug_addr") or b""

    def address(self, unit: UnitBase, index: int) -> int:
        """Entry `index` of the unit's part of `.debug_addr` (DW_FORM_addrx and list entries)."""
        pos = unit.addr_base + 8 * index
        if pos + 8 > len(self._addr):
            raise ListError(f"address index {index} lies past .debug_addr")
        return int(_U64.unpack_from(self._addr, pos)[0])

    def location_list(self, offset: int, unit: UnitBase) -> Iterator[LocationEntry]:
        """The entries of the location list at `offset` (raises ListError when it is damaged)."""
        entries = self._loclists_v5(offset, unit) if unit.version >= 5 else self._loc_v4(offset, unit)
        try:
            yield from entries
        except (struct.error, IndexError) as exc:
            raise ListError(f"location list at {offset:#x} is damaged: {exc}") from None

    def find_location(self, offset: int, unit: UnitBase, pc: int) -> bytes | None:
        """The expression that applies at link-time `pc`, or None when the list has no entry for it."""
        for entry in self.location_list(offset, unit):
            if entry.begin <= pc < entry.end:
                return entry.expr
        return None

    def _loc_v4(self, offset: int, unit: UnitBase) -> Iterator[LocationEntry]:
        for begin, end, expr in _pairs_v4(self._loc, offset, unit.low_pc, ".debug_loc", with_expression=True):
            yield LocationEntry(begin, end, expr)

    def _loclists_v5(self, offset: int, unit: UnitBase) -> Iterator[LocationEntry]:
        entries = self._entries_v5(self._loclists, offset, unit, _LLE_KINDS, ".debug_loclists", with_expression=True)
        for begin, end, expr in entries:
            yield LocationEntry(begin, end, expr)

    def ranges(self, offset: int, unit: UnitBase) -> list[tuple[int, int]]:
        """The [begin, end) link-time address ranges of a DW_AT_ranges list."""
        try:
            if unit.version >= 5:
                return list(self._rnglists_v5(offset, unit))
            return list(self._ranges_v4(offset, unit))
        except (struct.error, IndexError) as exc:
            raise ListError(f"range list at {offset:#x} is damaged: {exc}") from None

    def _ranges_v4(self, offset: int, unit: UnitBase) -> Iterator[tuple[int, int]]:
        for begin, end, _ in _pairs_v4(self._ranges, offset, unit.low_pc, ".debug_ranges", with_expression=False):
            yield begin, end

    def _rnglists_v5(self, offset: int, unit: UnitBase) -> Iterator[tuple[int, int]]:
        entries = self._entries_v5(self._rnglists, offset, unit, _RLE_KINDS, ".debug_rnglists", with_expression=False)
        for begin, end, _ in entries:
            yield begin, end

    def _entries_v5(
        self,
        data: bytes,
        offset: int,
        unit: UnitBase,
        kinds: tuple[int, ...],
        section: str,
        *,
        with_expression: bool,
    ) -> Iterator[tuple[int, int, bytes]]:
        """(begin, end, expression) of a DWARF 5 location or range list, base entries applied;
        `kinds` says what each entry code of this kind of list holds."""
        what = "location list" if with_expression else "range list"
        pos = offset
        base = unit.low_pc
        for _ in range(_MAX_ENTRIES):
            if pos >= len(data):
                raise ListError(f"{what} at {offset:#x} runs past {section}")
            code = data[pos]
            pos += 1
            kind = kinds[code] if code < len(kinds) else None
            if kind == _END:
                return
            if kind == _BASEX:
                index, pos = _uleb(data, pos)
                base = self.address(unit, index)
                continue
            if kind == _BASE:
                (base,) = _U64.unpack_from(data, pos)
                pos += 8
                continue
            if kind in (_OFFSET_PAIR, _STARTX_ENDX, _STARTX_LEN):
                a, pos = _uleb(data, pos)
                b, pos = _uleb(data, pos)
                if kind == _OFFSET_PAIR:
                    begin, end = base + a, base + b
                elif kind == _STARTX_ENDX:
                    begin, end = self.address(unit, a), self.address(unit, b)
                else:
                    begin = self.address(unit, a)
                    end = begin + b
            elif kind == _START_END:
                begin, end = struct.unpack_from("<QQ", data, pos)
                pos += 16
            elif kind == _START_LEN:
                (begin,) = _U64.unpack_from(data, pos)
                b, pos = _uleb(data, pos + 8)
                end = begin + b
            elif kind == _DEFAULT:
                begin, end = 0, _BASE_SELECTION
            else:
                raise ListError(f"{what} at {offset:#x} has unknown entry kind {code}")
            expr = b""
            if with_expression:
                length, pos = _uleb(data, pos)
                expr = bytes(data[pos : pos + length])
                pos += length
            yield begin, end, expr
