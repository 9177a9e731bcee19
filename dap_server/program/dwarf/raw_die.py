"""DIEs of Go units decoded by the raw reader, shaped as pyelftools shapes them: the same tag,
attribute and form names, the same values (flags as bools, blocks as lists of bytes, in-unit
references as written, DW_FORM_addrx read from `.debug_addr`).

A variables request reads a few hundred DIEs (a package's variables, their types, a function's
blocks). Through pyelftools that cost its import (15–25 ms) and ~0.1 ms a DIE; this reader
decodes them without it. Units of other languages (the C files of cgo) name things through
string tables and stay with pyelftools, and so does any DIE this reader cannot decode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from .dies import Abbreviation
from .names import ATTRIBUTES, FORMS, TAGS
from .raw_reader import FullDie, RawReader

DW_LANG_GO = 0x16
_AT_LANGUAGE = 0x13
_AT_ADDR_BASE = 0x73
_FLAG = 0x0C
_FLAG_PRESENT = 0x19
_BLOCKS = frozenset({0x03, 0x04, 0x09, 0x0A, 0x18})  # block2 block4 block block1 exprloc
_ADDRX = frozenset({0x1B, 0x29, 0x2A, 0x2B, 0x2C})


class AttributeValue(NamedTuple):
    name: str | int
    form: str | int
    value: Any


class AttrSpec(NamedTuple):
    """An attribute of a declaration, as pyelftools' AbbrevTable gives it (for `scan.scan`)."""

    name: str | int
    form: str | int
    value: int


class AbbrevTable:
    """A unit's abbreviations with pyelftools' `get_abbrev(code)` (a KeyError for an unknown code)."""

    def __init__(self, table: dict[int, Abbreviation]) -> None:
        self._table = table

    def get_abbrev(self, code: int) -> dict[str, Any]:
        entry = self._table[code]
        return {
            "tag": TAGS.get(entry.tag, entry.tag),
            "children_flag": entry.children,
            "attr_spec": [AttrSpec(ATTRIBUTES.get(a, a), FORMS.get(f, f), c) for a, f, c in entry.specs],
        }


class RawUnit:
    """A Go compile unit: pyelftools' CompileUnit attributes that godap reads."""

    def __init__(
        self, reader: RawReader, die_at: Callable[[int], Any], start: int, end: int, version: int, top: FullDie
    ) -> None:
        self._reader = reader
        self._die_at = die_at
        self.cu_offset = start
        self.cu_die_offset = start + (12 if version >= 5 else 11)
        self.size = end - start
        self.header = {"version": version, "address_size": 8, "unit_length": end - start - 4}
        self.addr_base = next((int(v) for a, _, v in top.attributes if a == _AT_ADDR_BASE), 0)

    def get_top_DIE(self) -> Any:  # pyelftools' name
        return self._die_at(self.cu_die_offset)

    def get_abbrev_table(self) -> AbbrevTable:
        return AbbrevTable(self._reader.table_of(self.cu_offset))


def is_go_unit(top: FullDie) -> bool:
    """Whether a unit's top DIE says Go (DW_AT_language)."""
    return any(attribute == _AT_LANGUAGE and value == DW_LANG_GO for attribute, _, value in top.attributes)


class RawDIE:
    """A DIE of a Go unit with pyelftools' tag, attributes, offset, size, cu and iter_children."""

    __slots__ = ("_die_at", "_reader", "attributes", "cu", "has_children", "offset", "size", "tag")

    def __init__(
        self,
        reader: RawReader,
        die_at: Callable[[int], Any],
        unit: RawUnit,
        offset: int,
        address: Callable[[RawUnit, int], int],
    ) -> None:
        found = reader.full_at(offset)
        self._reader = reader
        self._die_at = die_at
        self.cu = unit
        self.offset = offset
        self.size = found.end - offset
        self.tag = TAGS.get(found.tag, found.tag)
        self.has_children = found.children
        attributes: dict[str | int, AttributeValue] = {}
        for attribute, form, raw in found.attributes:
            value: Any = raw
            if form == _FLAG:
                value = raw != 0
            elif form == _FLAG_PRESENT:
                value = True
            elif form in _BLOCKS and isinstance(raw, bytes):
                value = list(raw)
            elif form in _ADDRX and isinstance(raw, int):
                value = address(unit, raw)
            name = ATTRIBUTES.get(attribute, attribute)
            attributes[name] = AttributeValue(name, FORMS.get(form, form), value)
        self.attributes = attributes

    def iter_children(self) -> Iterator[Any]:
        """The direct children, each read once (through the DIE cache) as the walk reaches it."""
        if not self.has_children:
            return
        pos = self.offset + self.size
        end = self.cu.cu_offset + self.cu.size
        while pos < end and not self._reader.is_null(pos):
            child = self._die_at(pos)
            yield child
            pos = self._reader.subtree_end(pos) if child.has_children else pos + child.size

    def __repr__(self) -> str:
        return f"RawDIE {self.tag} at {self.offset:#x}"
