"""Functions' variables from DWARF: the subprogram DIE of one function and its subtree only.

A function is found by its pclntab name with `DwarfInfo.find` and checked by its entry pc. When
the function was also inlined somewhere, its DIE carries no name: it points to an abstract DIE
(DW_AT_inline) with `DW_AT_abstract_origin`, so the concrete DIE is found by searching the raw
`.debug_info` for references to the abstract one. Inlined calls (`DW_TAG_inlined_subroutine`)
become nested blocks whose variables take their names and types from their abstract origins.
All addresses here are link-time addresses.
"""

from __future__ import annotations

import struct
from typing import Any, NamedTuple

from .attrs import DW_AT_GO_CLOSURE_OFFSET
from .dies import DIE, DieSource, DwarfError, high_pc, low_pc, ref_offset
from .lists import ListError, UnitBase

_MAX_CONCRETE_HITS = 64
_MAX_NESTING = 64
_VARIABLE_TAGS = ("DW_TAG_formal_parameter", "DW_TAG_variable")


class VariableDecl(NamedTuple):
    """One parameter or local variable as declared in DWARF."""

    name: str
    die_offset: int
    type_offset: int | None
    parameter: bool
    result: bool
    line: int
    location: bytes | int | None  # an expression, a location-list offset, or None (no location at all)
    closure_offset: int | None
    depth: int  # lexical nesting below the function (or inlined call) body
    unit: UnitBase


class Block(NamedTuple):
    """A block of code (a function body, a lexical block or an inlined call's body): its
    variables, nested blocks and inlined calls."""

    ranges: tuple[tuple[int, int], ...]
    variables: tuple[VariableDecl, ...]
    blocks: tuple[Block, ...]
    calls: tuple[InlinedCall, ...]

    def contains(self, pc: int) -> bool:
        return any(lo <= pc < hi for lo, hi in self.ranges)


class InlinedCall(NamedTuple):
    function: str
    body: Block


class Function(NamedTuple):
    name: str
    low_pc: int
    high_pc: int
    body: Block
    frame_base: bytes | None = None  # DW_AT_frame_base (C functions; Go's is always the CFA)

    def inlined_bodies(self, pc: int) -> list[InlinedCall]:
        """The inlined calls active at `pc`, outermost first."""
        chain: list[InlinedCall] = []
        body = self.body
        for _ in range(_MAX_NESTING):
            call = _call_at(body, pc)
            if call is None:
                break
            chain.append(call)
            body = call.body
        return chain

    def captured_variables(self) -> list[VariableDecl]:
        """Variables a closure body reads from its closure object (Go ≥ 1.23 marks their offsets)."""
        found: dict[int, VariableDecl] = {}
        pending = [self.body]
        while pending:
            block = pending.pop()
            for decl in block.variables:
                if decl.closure_offset is not None:
                    found.setdefault(decl.closure_offset, decl)
            pending.extend(block.blocks)
        return [found[offset] for offset in sorted(found)]

    def variables_at(self, pc: int, body: Block) -> list[VariableDecl]:
        """Variables of `body` (the function or one of its inlined calls) in scope at `pc`."""
        found: list[VariableDecl] = []
        _collect(body, pc, found)
        return found


def _call_at(outer: Block, pc: int) -> InlinedCall | None:
    for call in outer.calls:
        if call.body.contains(pc):
            return call
    for block in outer.blocks:
        if block.contains(pc):
            found = _call_at(block, pc)
            if found is not None:
                return found
    return None


def _collect(outer: Block, pc: int, out: list[VariableDecl]) -> None:
    out.extend(outer.variables)
    for block in outer.blocks:
        if block.contains(pc):
            _collect(block, pc, out)


class FunctionIndex:
    """Functions' blocks by entry pc, each parsed from its own subtree on first use."""

    def __init__(self, dwarf: DieSource) -> None:
        self._dwarf = dwarf
        self._functions: dict[int, Function | None] = {}

    def function(self, name: str, entry: int) -> Function | None:
        """The function called `name` whose code starts at link-time address `entry`."""
        if entry in self._functions:
            return self._functions[entry]
        found = None
        try:
            die = self._subprogram(name, entry)
            if die is not None:
                found = self._parse_function(die, name)
        except (DwarfError, ListError):
            found = None
        except Exception:  # pyelftools raises many kinds (KeyError, struct errors) on damaged DWARF
            found = None
        self._functions[entry] = found
        return found

    def of_subprogram(self, die: DIE, name: str) -> Function | None:
        """The function of a subprogram DIE found otherwise (a C function, by pc)."""
        entry = low_pc(die)
        if entry is None:
            return None
        if entry not in self._functions:
            try:
                self._functions[entry] = self._parse_function(die, name)
            except Exception:  # pyelftools raises many kinds (KeyError, struct errors) on damaged DWARF
                self._functions[entry] = None
        return self._functions[entry]

    def _subprogram(self, name: str, entry: int) -> DIE | None:
        for die in self._dwarf.find(name, ("DW_TAG_subprogram",)):
            if low_pc(die) == entry:
                return die
            if "DW_AT_inline" in die.attributes:
                concrete = self._concrete_instance(die.offset, entry)
                if concrete is not None:
                    return concrete
        return None

    def _concrete_instance(self, abstract: int, entry: int) -> DIE | None:
        """The out-of-line copy of an inlined function: a subprogram whose abstract origin is `abstract`."""
        raw = self._dwarf.raw_info
        needle = struct.pack("<I", abstract)
        start = 0
        for _ in range(_MAX_CONCRETE_HITS):
            hit = raw.find(needle, start)
            if hit < 0:
                return None
            start = hit + 1
            try:
                die = self._dwarf.die_at(hit - 1)
            except DwarfError:
                continue
            if (
                die.tag == "DW_TAG_subprogram"
                and ref_offset(die, "DW_AT_abstract_origin") == abstract
                and low_pc(die) == entry
            ):
                return die
        return None

    def _parse_function(self, die: DIE, name: str) -> Function:
        low = low_pc(die) or 0
        high = high_pc(die, low)
        unit = self._dwarf.unit_base(die)
        body = self._block(die, ((low, high),), unit, 0, 0)
        base = die.attributes.get("DW_AT_frame_base")
        frame_base = bytes(base.value) if base is not None and isinstance(base.value, list | bytes) else None
        return Function(name, low, high, body, frame_base)

    def _block(self, die: DIE, ranges: tuple[tuple[int, int], ...], unit: UnitBase, level: int, depth: int) -> Block:
        variables: list[VariableDecl] = []
        blocks: list[Block] = []
        calls: list[InlinedCall] = []
        for child in die.iter_children():
            tag = child.tag
            if tag in _VARIABLE_TAGS:
                decl = self._variable(child, unit, depth)
                if decl is not None:
                    variables.append(decl)
            elif level < _MAX_NESTING and tag == "DW_TAG_lexical_block":
                blocks.append(self._block(child, self._ranges(child, unit), unit, level + 1, depth + 1))
            elif level < _MAX_NESTING and tag == "DW_TAG_inlined_subroutine":
                origin = self._origin(child)
                called = _text(origin, "DW_AT_name") if origin is not None else ""
                body = self._block(child, self._ranges(child, unit), unit, level + 1, 0)
                calls.append(InlinedCall(called or "?", body))
        return Block(ranges, tuple(variables), tuple(blocks), tuple(calls))

    def _origin(self, die: DIE) -> DIE | None:
        offset = ref_offset(die, "DW_AT_abstract_origin")
        return None if offset is None else self._dwarf.die_at(offset)

    def _variable(self, die: DIE, unit: UnitBase, depth: int) -> VariableDecl | None:
        origin = self._origin(die)
        named = origin if origin is not None else die

        def attr(name: Any) -> Any:
            found = die.attributes.get(name) or named.attributes.get(name)
            return None if found is None else found.value

        name = _text(named, "DW_AT_name")
        if not name:
            return None
        location_attr = die.attributes.get("DW_AT_location")
        location: bytes | int | None = None
        if location_attr is not None:
            if location_attr.form in ("DW_FORM_sec_offset", "DW_FORM_data4", "DW_FORM_loclistx"):
                location = int(location_attr.value)
            else:
                location = bytes(location_attr.value)
        return VariableDecl(
            name=name,
            die_offset=die.offset,
            type_offset=ref_offset(die, "DW_AT_type") or ref_offset(named, "DW_AT_type"),
            parameter=die.tag == "DW_TAG_formal_parameter",
            result=bool(attr("DW_AT_variable_parameter")),
            line=int(attr("DW_AT_decl_line") or 0),
            location=location,
            closure_offset=attr(DW_AT_GO_CLOSURE_OFFSET),
            depth=depth,
            unit=unit,
        )

    def _ranges(self, die: DIE, unit: UnitBase) -> tuple[tuple[int, int], ...]:
        low = low_pc(die)
        if low is not None:
            return ((low, high_pc(die, low)),)
        attr = die.attributes.get("DW_AT_ranges")
        if attr is None:
            return ()
        return tuple(self._dwarf.lists.ranges(int(attr.value), unit))


def _text(die: DIE, name: str) -> str:
    attr = die.attributes.get(name)
    if attr is None:
        return ""
    value = attr.value
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
