"""C types, from the DWARF a C compiler writes for the C files of a cgo program.

They answer the GoType interface so that the values engine decodes them as it does Go's
(integers, pointers, structs, arrays), and say `foreign` so that what C allows and Go does not
(indexing a pointer, `char *` as a NUL-terminated string) applies to them only. Names are spelled
as Delve spells C types: `int`, `*char`, `*const char`, `struct align_check`, `[4]int`.
Qualifiers and typedefs are kept in the name and followed for the layout. Bit fields are left
out of a struct's fields (their bits cannot be decoded as a whole member).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, partial
from typing import Any

from .dies import DIE, die_name, ref_offset
from .types import ENCODINGS, Field, GoType, Kind

_QUALIFIERS = {
    "DW_TAG_const_type": "const",
    "DW_TAG_volatile_type": "volatile",
    "DW_TAG_restrict_type": "restrict",
    "DW_TAG_atomic_type": "_Atomic",
}
_ALIASES = frozenset({"DW_TAG_typedef", *_QUALIFIERS})
_AGGREGATES = {"DW_TAG_structure_type": "struct", "DW_TAG_union_type": "union", "DW_TAG_class_type": "class"}
_MAX_CHAIN = 16
_MAX_DEPTH = 8  # of a name spelled through pointers and arrays


class CType(GoType):
    """A C type DIE; `at` makes the types it refers to (the table's own constructor)."""

    foreign = True

    def __init__(
        self, at: Callable[[int], GoType], offset: int, die: DIE, resolve: Callable[[DIE], DIE | None]
    ) -> None:
        self._at = at
        self.offset = offset
        chain = [die]
        while die.tag in _ALIASES and len(chain) < _MAX_CHAIN:
            target = resolve(die)
            if target is None:
                break
            die = target
            chain.append(die)
        self._die = die
        self.name = c_name(chain[0], resolve, 0)
        self.kind = _kind(die, resolve)
        self.signed = _signed(die, resolve)
        size = _int_attr(die, "DW_AT_byte_size")
        if size is None and die.tag == "DW_TAG_pointer_type":
            size = 8
        self.size = size if size is not None else self._array_size()

    def _array_size(self) -> int:
        elem = self.elem
        return elem.size * self.length if elem is not None and self.kind == Kind.ARRAY else 0

    @cached_property
    def _dimensions(self) -> tuple[int, ...]:
        if self._die.tag != "DW_TAG_array_type":
            return ()
        return tuple(_count(child) for child in self._die.iter_children() if child.tag == "DW_TAG_subrange_type")

    @property
    def length(self) -> int:
        return self._dimensions[0] if self._dimensions else 0

    @cached_property
    def elem(self) -> GoType | None:
        if self._die.tag not in ("DW_TAG_pointer_type", "DW_TAG_array_type"):
            return None
        offset = ref_offset(self._die, "DW_AT_type")
        if offset is None:
            return None
        inner = self._at(offset)
        for length in reversed(self._dimensions[1:]):  # int a[2][3]: a [2] of [3]int
            inner = CArray(inner, length)
        return inner

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        if self._die.tag not in _AGGREGATES:
            return ()
        out = []
        for child in self._die.iter_children():
            offset = ref_offset(child, "DW_AT_type")
            if child.tag != "DW_TAG_member" or offset is None or "DW_AT_bit_size" in child.attributes:
                continue
            location = _int_attr(child, "DW_AT_data_member_location") or 0
            out.append(Field(die_name(child) or "?", location, False, partial(self._at, offset)))
        return tuple(out)


class CArray(GoType):
    """One inner dimension of a multi-dimensional C array (`int a[2][3]` has `[3]int` elements)."""

    foreign = True
    elem: GoType | None = None
    length: int = 0

    def __init__(self, elem: GoType, length: int) -> None:
        self.name = f"[{length}]{elem.name}"
        self.kind = Kind.ARRAY
        self.size = elem.size * length
        self.elem = elem
        self.length = length


def is_c_char(gotype: GoType | None) -> bool:
    """A C `char` (signed, unsigned or plain, qualified or not): what a C string is made of."""
    return gotype is not None and gotype.foreign and gotype.size == 1 and gotype.name.endswith("char")


def c_name(die: DIE, resolve: Callable[[DIE], DIE | None], depth: int) -> str:
    """A C type as Delve spells it: pointers and arrays in Go order (`*const char`, `[4]int`)."""
    tag = die.tag
    if tag == "DW_TAG_typedef" or tag == "DW_TAG_base_type":
        return die_name(die) or "?"
    target = resolve(die) if "DW_AT_type" in die.attributes else None
    inner = "void" if target is None else "..." if depth >= _MAX_DEPTH else c_name(target, resolve, depth + 1)
    if tag in _QUALIFIERS:
        return f"{_QUALIFIERS[tag]} {inner}"
    if tag == "DW_TAG_pointer_type":
        return "*" + inner
    if tag == "DW_TAG_array_type":
        dims = "".join(f"[{_count(c)}]" for c in die.iter_children() if c.tag == "DW_TAG_subrange_type")
        return dims + inner
    if tag in _AGGREGATES:
        return f"{_AGGREGATES[tag]} {die_name(die) or '{...}'}"
    if tag == "DW_TAG_enumeration_type":
        return f"enum {die_name(die) or '{...}'}"
    if tag == "DW_TAG_subroutine_type":
        return "func()"
    return die_name(die) or tag.removeprefix("DW_TAG_")


def _kind(die: DIE, resolve: Callable[[DIE], DIE | None]) -> Kind:
    tag = die.tag
    if tag == "DW_TAG_base_type":
        return ENCODINGS.get(_int_attr(die, "DW_AT_encoding") or 0, Kind.UNKNOWN)
    if tag == "DW_TAG_pointer_type":
        return Kind.POINTER if "DW_AT_type" in die.attributes else Kind.UNSAFE_POINTER
    if tag in _AGGREGATES:
        return Kind.STRUCT
    if tag == "DW_TAG_array_type":
        return Kind.ARRAY
    if tag == "DW_TAG_enumeration_type":
        return Kind.INT if _signed(die, resolve) else Kind.UINT
    return Kind.UNKNOWN  # functions (behind a function pointer), void


def _signed(die: DIE, resolve: Callable[[DIE], DIE | None]) -> bool:
    if die.tag == "DW_TAG_enumeration_type":  # signed unless its underlying type says otherwise
        underlying = resolve(die) if "DW_AT_type" in die.attributes else None
        return underlying is None or _signed(underlying, resolve)
    return die.tag == "DW_TAG_base_type" and _int_attr(die, "DW_AT_encoding") in (5, 6)


def _count(subrange: DIE) -> int:
    count = _int_attr(subrange, "DW_AT_count")
    if count is not None:
        return count
    upper = _int_attr(subrange, "DW_AT_upper_bound")
    return upper + 1 if upper is not None else 0  # a flexible array member: `int tail[]`


def _int_attr(die: DIE, name: str) -> int | None:
    attr: Any = die.attributes.get(name)
    return int(attr.value) if attr is not None and isinstance(attr.value, int) else None
