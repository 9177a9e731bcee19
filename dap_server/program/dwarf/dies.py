"""What the DWARF readers share, apart from the DwarfInfo that builds them: the DIE, the error,
reference attributes, and `DieSource`, the part of DwarfInfo a sub-reader (types, functions,
globals) reads DIEs through. This module imports none of the readers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple, Protocol

from ..errors import ProgramError
from .lists import ListReader, UnitBase

DIE = Any  # elftools.dwarf.die.DIE; pyelftools ships no stubs for it


class DwarfError(ProgramError):
    """DWARF is missing or too damaged to answer; the message names what failed."""


class Abbreviation(NamedTuple):
    """A declaration of `.debug_abbrev` as the raw reader parses it."""

    tag: int
    children: bool
    specs: tuple[tuple[int, int, int], ...]  # (attribute, form, implicit constant)


class DieSource(Protocol):
    """DIEs of one executable, found by offset or by name, parsed once."""

    @property
    def raw_info(self) -> bytes: ...

    @property
    def lists(self) -> ListReader: ...

    def die_at(self, offset: int) -> DIE: ...

    def find(self, name: str, tags: Iterable[str], start: int = 0, end: int | None = None) -> list[DIE]: ...

    def find_one(self, name: str, tags: Iterable[str]) -> DIE | None: ...

    def raw_name_at(self, offset: int, tags: frozenset[str]) -> bytes | None: ...

    def first_abbreviations(self) -> dict[int, Abbreviation]: ...

    def resolve_type(self, die: DIE) -> DIE | None: ...

    def unit_base(self, die: DIE) -> UnitBase: ...

    def is_foreign(self, die: DIE) -> bool: ...


def ref_offset(die: DIE, attribute: str | int) -> int | None:
    """The `.debug_info` offset a reference attribute points to (unit-relative forms made absolute)."""
    attr = die.attributes.get(attribute)
    if attr is None or not isinstance(attr.value, int):
        return None
    return int(attr.value) if attr.form == "DW_FORM_ref_addr" else int(attr.value) + die.cu.cu_offset


def low_pc(die: DIE) -> int | None:
    attr = die.attributes.get("DW_AT_low_pc")
    return None if attr is None else int(attr.value)


def high_pc(die: DIE, low: int) -> int:
    """DW_AT_high_pc as an address: DWARF 4 writes an address, DWARF 5 (Go ≥ 1.25, gcc) a length."""
    attr = die.attributes.get("DW_AT_high_pc")
    if attr is None:
        return low
    return int(attr.value) if attr.form == "DW_FORM_addr" else low + int(attr.value)


def die_name(die: DIE) -> str:
    """DW_AT_name as text ("" when the DIE has none)."""
    attr = die.attributes.get("DW_AT_name")
    if attr is None:
        return ""
    value = attr.value
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
