"""Struct layouts and constants read straight from `.debug_info` with the unit's abbreviations,
without pyelftools.

Launch needs the runtime's structs (`runtime.g`, `runtime.m`, … and the structs of their nested
fields: a few hundred DIEs) and a few runtime constants. Through pyelftools that cost its import
(~40 ms) and ~0.3 ms a DIE: most of a small core's launch. This reader decodes one DIE and its
direct children at a time, keeping only the attributes a layout or a constant needs; pyelftools
still serves every other DWARF question.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import NamedTuple, TypeVar

from ...binfmt.leb128 import LebError, read_sleb, read_uleb
from .dies import Abbreviation, DwarfError
from .unit_index import UnitIndex

TAG_STRUCT = 0x13
TAG_TYPEDEF = 0x16
TAG_CONSTANT = 0x27
TAG_VARIABLE = 0x34
# The tags the searches by name ask for, by the names pyelftools gives them.
TAG_CODES = {
    "DW_TAG_array_type": 0x01,
    "DW_TAG_pointer_type": 0x0F,
    "DW_TAG_structure_type": TAG_STRUCT,
    "DW_TAG_subroutine_type": 0x15,
    "DW_TAG_typedef": TAG_TYPEDEF,
    "DW_TAG_base_type": 0x24,
    "DW_TAG_constant": TAG_CONSTANT,
    "DW_TAG_subprogram": 0x2E,
    "DW_TAG_variable": TAG_VARIABLE,
    "DW_TAG_unspecified_type": 0x3B,
}
_TAG_MEMBER = 0x0D
AT_NAME = 0x03
AT_CONST_VALUE = 0x1C
AT_EXTERNAL = 0x3F
_AT_BYTE_SIZE = 0x0B
_AT_MEMBER_LOCATION = 0x38
_AT_TYPE = 0x49
_AT_GO_EMBEDDED = 0x2903

# Forms by their DWARF 5 codes. Fixed sizes assume 64-bit addresses and 32-bit DWARF (all Go writes).
_FIXED = {
    0x01: 8,  # addr
    0x05: 2,  # data2
    0x06: 4,  # data4
    0x07: 8,  # data8
    0x0B: 1,  # data1
    0x0C: 1,  # flag
    0x0E: 4,  # strp
    0x10: 4,  # ref_addr
    0x11: 1,  # ref1
    0x12: 2,  # ref2
    0x13: 4,  # ref4
    0x14: 8,  # ref8
    0x17: 4,  # sec_offset
    0x19: 0,  # flag_present
    0x1C: 4,  # ref_sup4
    0x1D: 4,  # strp_sup
    0x1E: 16,  # data16
    0x1F: 4,  # line_strp
    0x20: 8,  # ref_sig8
    0x21: 0,  # implicit_const
    0x24: 8,  # ref_sup8
    0x25: 1,  # strx1
    0x26: 2,  # strx2
    0x27: 3,  # strx3
    0x28: 4,  # strx4
    0x29: 1,  # addrx1
    0x2A: 2,  # addrx2
    0x2B: 3,  # addrx3
    0x2C: 4,  # addrx4
}
_SDATA = 0x0D
_LEB = frozenset({0x0D, 0x0F, 0x15, 0x1A, 0x1B, 0x22, 0x23})  # sdata udata ref_udata strx addrx loclistx rnglistx
_BLOCK = {0x0A: 1, 0x03: 2, 0x04: 4}  # block1, block2, block4: a length of that many bytes, then the block
_LEB_BLOCK = frozenset({0x09, 0x18})  # block, exprloc
_STRING = 0x08
_FLAG_PRESENT = 0x19
_IMPLICIT_CONST = 0x21
_REF_IN_UNIT = frozenset({0x11, 0x12, 0x13, 0x14, 0x15})
_REF_ADDR = 0x10
_WANTED = frozenset({AT_NAME, AT_CONST_VALUE, _AT_BYTE_SIZE, _AT_MEMBER_LOCATION, _AT_TYPE, _AT_GO_EMBEDDED})
_TABLE_STRINGS = frozenset({0x0E, 0x1A, 0x1D, 0x1F, 0x25, 0x26, 0x27, 0x28})  # strp strx strp_sup line_strp strx1-4
# Forms decoded whole: Go's own (and the other plain numbers, flags, blocks and inline strings).
_DECODED = (frozenset(_FIXED) - {0x1C, 0x1E, 0x20, 0x24}) | _LEB | frozenset(_BLOCK) | _LEB_BLOCK | {_STRING}
_DWARF64 = 0xFFFFFFFF
_FIRST_WINDOW = 4096  # bytes of .debug_info decoded at first; grown while a DIE runs past it


class Member(NamedTuple):
    name: str
    offset: int
    type_offset: int | None
    embedded: bool


class StructType(NamedTuple):
    name: str
    size: int
    members: dict[str, Member]


class Die(NamedTuple):
    """A DIE as this reader decodes it (tag -1: a null entry)."""

    tag: int
    children: bool
    attributes: dict[int, int | bytes]  # the wanted ones: references made absolute, strings as bytes
    end: int


class FullDie(NamedTuple):
    """A DIE with all its attributes: (attribute, form, value), blocks as bytes, references as written."""

    tag: int
    children: bool
    attributes: tuple[tuple[int, int, int | bytes], ...]
    end: int


class UnsupportedForm(DwarfError):
    """A DIE uses a form whose value lives in another section (strings of C units): pyelftools reads it."""


_D = TypeVar("_D", Die, FullDie)
_Decoder = Callable[[bytes | bytearray, int, int, int, dict[int, Abbreviation]], _D]


class _Short(Exception):
    """The window of `.debug_info` ends inside the DIE being decoded."""


def abbreviations(data: bytes, offset: int) -> dict[int, Abbreviation]:
    """The abbreviation table at `offset` of `.debug_abbrev`, by code."""
    table: dict[int, Abbreviation] = {}
    pos = offset
    while True:
        code, pos = read_uleb(data, pos)
        if code == 0:
            return table
        tag, pos = read_uleb(data, pos)
        children = data[pos] != 0
        pos += 1
        specs = []
        while True:
            attribute, pos = read_uleb(data, pos)
            form, pos = read_uleb(data, pos)
            if attribute == 0 and form == 0:
                break
            implicit = 0
            if form == _IMPLICIT_CONST:
                implicit, pos = read_sleb(data, pos)
            specs.append((attribute, form, implicit))
        table[code] = Abbreviation(tag, children, tuple(specs))


class RawReader:
    """DIEs of one `.debug_info`, decoded by offset; abbreviation tables parsed once per unit."""

    def __init__(self, info_front: Callable[[int], bytes | bytearray], units: UnitIndex, abbrev: bytes) -> None:
        self._front = info_front  # the first n bytes of .debug_info (it may inflate more to answer)
        self._units = units
        self._abbrev = abbrev
        self._tables: dict[int, dict[int, Abbreviation]] = {}  # by offset in .debug_abbrev
        self._unit_tables: dict[int, dict[int, Abbreviation]] = {}  # by unit start
        self._versions: dict[int, int] = {}  # by unit start

    def first_table(self) -> dict[int, Abbreviation]:
        """The abbreviations at offset 0, which every unit the Go linker writes uses."""
        return self._table(0)

    def die_at(self, offset: int) -> Die:
        """The DIE at `offset` (only the attributes this reader keeps)."""
        return self._decode(offset)

    def named_at(self, offset: int, name: bytes, tags: tuple[int, ...]) -> Die | None:
        """The DIE at `offset` if it is called `name` and has one of `tags`."""
        die = self._decode(offset)
        return die if die.tag in tags and die.attributes.get(AT_NAME) == name else None

    def struct_at(self, offset: int) -> StructType | None:
        """The struct described by the struct or typedef DIE at `offset`, or None if it is neither."""
        return self.struct_of(self._decode(offset), offset)

    def struct_of(self, die: Die, offset: int) -> StructType | None:
        """The struct that `die` (at `offset`) describes, typedefs followed; None if not a struct."""
        seen = {offset}
        while die.tag == TAG_TYPEDEF:
            target = die.attributes.get(_AT_TYPE)
            if not isinstance(target, int) or target in seen:
                return None
            seen.add(target)
            die = self._decode(target)
        return self._struct(die) if die.tag == TAG_STRUCT else None

    def _struct(self, die: Die) -> StructType:
        members: dict[str, Member] = {}
        for child in self._children(die):
            if child.tag != _TAG_MEMBER:
                continue
            name = _text(child.attributes.get(AT_NAME))
            location = child.attributes.get(_AT_MEMBER_LOCATION)
            target = child.attributes.get(_AT_TYPE)
            members[name] = Member(
                name,
                location if isinstance(location, int) else 0,
                target if isinstance(target, int) else None,
                bool(child.attributes.get(_AT_GO_EMBEDDED)),
            )
        size = die.attributes.get(_AT_BYTE_SIZE)
        return StructType(_text(die.attributes.get(AT_NAME)), size if isinstance(size, int) else 0, members)

    def is_null(self, offset: int) -> bool:
        """Whether the entry at `offset` is the null one that closes a list of children."""
        return self._decode(offset, null_ok=True).tag < 0

    def subtree_end(self, offset: int) -> int:
        """Where the DIE at `offset` and all its descendants end (its next sibling, or the null
        entry that closes its parent's children)."""
        end = (die := self._decode(offset)).end
        for _, entry in self._descendants(die):
            end = entry.end
        return end

    def _children(self, die: Die) -> list[Die]:
        """The direct children of `die` (their own children skipped)."""
        return [entry for depth, entry in self._descendants(die) if depth == 1 and entry.tag >= 0]

    def _descendants(self, die: Die) -> Iterator[tuple[int, Die]]:
        """(depth, entry) of the entries after `die` up to the null entry that closes its children
        (depth 1: its children and that null entry); nothing if it has none."""
        pos, depth = die.end, 1 if die.children else 0
        bounds = self._units.bounds_of(die.end - 1)
        unit_end = bounds[1] if bounds is not None else die.end
        while depth:
            if pos >= unit_end:  # damaged: the children would run on into the next unit
                raise DwarfError(f"the children of the DWARF entry ending at {die.end:#x} run past their unit")
            entry = self._decode(pos, null_ok=True)
            yield depth, entry
            pos = entry.end
            depth += -1 if entry.tag < 0 else int(entry.children)

    def _decode(self, offset: int, null_ok: bool = False) -> Die:
        """The DIE at `offset` of `.debug_info` (tag -1 for a null entry when `null_ok`)."""
        die = self._windowed(offset, _decode_one)
        if die.tag < 0 and not null_ok:
            raise DwarfError(f"DWARF reference {offset:#x} names a null entry")
        return die

    def full_at(self, offset: int) -> FullDie:
        """The DIE at `offset` with every attribute (UnsupportedForm for a string kept in a table)."""
        return self._windowed(offset, _decode_full)

    def unit_of(self, offset: int) -> tuple[int, int, int]:
        """(start, end, DWARF version) of the unit holding `offset`."""
        bounds = self._units.bounds_of(offset)
        if bounds is None:
            raise DwarfError(f"DWARF reference {offset:#x} lies in no unit of .debug_info")
        self._unit_table(bounds[0])
        return bounds[0], bounds[1], self._versions[bounds[0]]

    def table_of(self, unit: int) -> dict[int, Abbreviation]:
        """The abbreviations of the unit starting at `unit`."""
        return self._unit_table(unit)

    def _windowed(
        self, offset: int, decode: Callable[[bytes | bytearray, int, int, int, dict[int, Abbreviation]], _D]
    ) -> _D:
        """`decode` of the DIE at `offset`, given a window of the section grown until the DIE fits."""
        bounds = self._units.bounds_of(offset)
        if bounds is None:
            raise DwarfError(f"DWARF reference {offset:#x} lies in no unit of .debug_info")
        start, end = bounds
        table = self._unit_table(start)
        window = _FIRST_WINDOW
        while True:
            stop = min(end, offset + window)
            try:
                return decode(self._front(stop), offset, stop, start, table)
            except _Short:
                if stop >= end:
                    raise DwarfError(f"DWARF entry at {offset:#x} runs past the end of its unit") from None
                window *= 8

    def _unit_table(self, start: int) -> dict[int, Abbreviation]:
        table = self._unit_tables.get(start)
        if table is None:
            header = self._front(start + 12)
            if len(header) < start + 12 or int.from_bytes(header[start : start + 4], "little") == _DWARF64:
                raise DwarfError(f"the DWARF unit at {start:#x} has a header this reader cannot decode")
            version = int.from_bytes(header[start + 4 : start + 6], "little")
            self._versions[start] = version
            at = start + 8 if version >= 5 else start + 6
            table = self._unit_tables[start] = self._table(int.from_bytes(header[at : at + 4], "little"))
        return table

    def _table(self, offset: int) -> dict[int, Abbreviation]:
        table = self._tables.get(offset)
        if table is None:
            try:
                table = self._tables[offset] = abbreviations(self._abbrev, offset)
            except (LebError, IndexError) as exc:
                raise DwarfError(f"the DWARF abbreviations at {offset:#x} are damaged") from exc
        return table


_UNPACK = {1: struct.Struct("<B"), 2: struct.Struct("<H"), 4: struct.Struct("<I"), 8: struct.Struct("<Q")}


def _decode_one(data: bytes | bytearray, offset: int, stop: int, unit: int, table: dict[int, Abbreviation]) -> Die:
    """Decode the DIE at `offset`, which must end by `stop` (else _Short), keeping the wanted
    attributes with in-unit references made absolute."""
    pos, abbreviation = _start(data, offset, table)
    if abbreviation is None:
        return Die(-1, False, {}, pos)
    attributes: dict[int, int | bytes] = {}
    for attribute, form, implicit in abbreviation.specs:
        value, pos = _value(data, pos, stop, offset, form, implicit, attribute in _WANTED)
        if attribute in _WANTED and value is not None:
            if form in _REF_IN_UNIT and isinstance(value, int):
                value += unit
            attributes[attribute] = value
    return Die(abbreviation.tag, abbreviation.children, attributes, pos)


def _decode_full(data: bytes | bytearray, offset: int, stop: int, unit: int, table: dict[int, Abbreviation]) -> FullDie:
    """Decode the DIE at `offset` with all its attributes, references as written (unit-relative)."""
    pos, abbreviation = _start(data, offset, table)
    if abbreviation is None:
        return FullDie(-1, False, (), pos)
    attributes = []
    for attribute, form, implicit in abbreviation.specs:
        if form in _TABLE_STRINGS or form not in _DECODED:
            raise UnsupportedForm(f"DWARF entry at {offset:#x} uses form {form:#x}")
        value, pos = _value(data, pos, stop, offset, form, implicit, True)
        attributes.append((attribute, form, value if value is not None else 0))
    return FullDie(abbreviation.tag, abbreviation.children, tuple(attributes), pos)


def _start(data: bytes | bytearray, offset: int, table: dict[int, Abbreviation]) -> tuple[int, Abbreviation | None]:
    """Where the attributes of the DIE at `offset` start, and its declaration (None: a null entry)."""
    try:
        code, pos = read_uleb(data, offset)
    except (LebError, IndexError):
        raise _Short from None
    if code == 0:
        return pos, None
    abbreviation = table.get(code)
    if abbreviation is None:
        raise DwarfError(f"DWARF entry at {offset:#x} uses abbreviation {code}, which its unit lacks")
    return pos, abbreviation


def _value(
    data: bytes | bytearray, pos: int, stop: int, offset: int, form: int, implicit: int, keep: bool
) -> tuple[int | bytes | None, int]:
    """One attribute's value (None when not kept or not a number or string) and where the next starts;
    blocks are kept as bytes."""
    try:
        value: int | bytes | None = None
        size = _FIXED.get(form)
        if size is not None:
            if keep and size in _UNPACK:
                value = _UNPACK[size].unpack_from(data, pos)[0]
            pos += size
            if form == _FLAG_PRESENT:
                value = 1
            elif form == _IMPLICIT_CONST:
                value = implicit
        elif form in _LEB:
            value, pos = read_sleb(data, pos) if form == _SDATA else read_uleb(data, pos)
        elif form == _STRING:
            nul = data.index(0, pos, stop)
            value = bytes(data[pos:nul])
            pos = nul + 1
        elif form in _BLOCK:
            length = _UNPACK[_BLOCK[form]].unpack_from(data, pos)[0]
            start = pos + _BLOCK[form]
            pos = start + length
            value = bytes(data[start:pos]) if keep else None
        elif form in _LEB_BLOCK:
            length, start = read_uleb(data, pos)
            pos = start + length
            value = bytes(data[start:pos]) if keep else None
        else:
            raise DwarfError(f"DWARF entry at {offset:#x} uses form {form:#x}, which this reader cannot size")
    except (LebError, IndexError, ValueError, struct.error):
        # Past the window (or the section's end, which the caller tells apart).
        raise _Short from None
    if pos > stop:
        raise _Short
    return value, pos


def _text(value: int | bytes | None) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""
