"""Go types as the Go linker describes them in DWARF, built lazily one DIE at a time.

A `GoType` says what a value decoder needs: the name as Go spells it, the kind, the size, struct
fields, element/key types, array length, and the runtime type descriptor offset. Named types are
a typedef over the underlying DIE; maps and channels are typedefs over pointers to synthesized
structs (`hash<K,V>`/`map<K,V>`, `hchan<T>`), exposed as `internal`. The same interface is
implemented from runtime type descriptors (goruntime/values/rtypes.py) for types DWARF lacks.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from functools import cached_property, partial
from typing import Any

from .attrs import (
    DW_AT_GO_DICT_INDEX,
    DW_AT_GO_ELEM,
    DW_AT_GO_EMBEDDED_FIELD,
    DW_AT_GO_KEY,
    DW_AT_GO_KIND,
    DW_AT_GO_RUNTIME_TYPE,
    TYPE_TAGS,
)
from .dies import DIE, DieSource, ref_offset
from .scan import ScanError, scan

_NAME = frozenset({"DW_AT_name"})


class Kind(enum.StrEnum):
    BOOL = "bool"
    INT = "int"
    UINT = "uint"
    FLOAT = "float"
    COMPLEX = "complex"
    STRING = "string"
    ARRAY = "array"
    SLICE = "slice"
    STRUCT = "struct"
    POINTER = "pointer"
    UNSAFE_POINTER = "unsafe.Pointer"
    MAP = "map"
    CHAN = "chan"
    INTERFACE = "interface"
    FUNC = "func"
    UNKNOWN = "unknown"


# internal/abi.Kind numbers (unchanged since Go 1.0).
ABI_KINDS: dict[int, Kind] = {
    1: Kind.BOOL,
    2: Kind.INT,
    3: Kind.INT,
    4: Kind.INT,
    5: Kind.INT,
    6: Kind.INT,
    7: Kind.UINT,
    8: Kind.UINT,
    9: Kind.UINT,
    10: Kind.UINT,
    11: Kind.UINT,
    12: Kind.UINT,
    13: Kind.FLOAT,
    14: Kind.FLOAT,
    15: Kind.COMPLEX,
    16: Kind.COMPLEX,
    17: Kind.ARRAY,
    18: Kind.CHAN,
    19: Kind.FUNC,
    20: Kind.INTERFACE,
    21: Kind.MAP,
    22: Kind.POINTER,
    23: Kind.SLICE,
    24: Kind.STRING,
    25: Kind.STRUCT,
    26: Kind.UNSAFE_POINTER,
}
_SIGNED_ABI_KINDS = frozenset({2, 3, 4, 5, 6})
# DW_ATE_* encodings of base types.
ENCODINGS = {
    2: Kind.BOOL,
    3: Kind.COMPLEX,
    4: Kind.FLOAT,
    5: Kind.INT,
    6: Kind.INT,
    7: Kind.UINT,
    8: Kind.UINT,
}


class Field:
    """A struct field; its type is resolved when first asked for (big structs are mostly skimmed)."""

    __slots__ = ("_resolve", "_type", "embedded", "name", "offset")

    def __init__(self, name: str, offset: int, embedded: bool, resolve: Callable[[], GoType]) -> None:
        self.name = name
        self.offset = offset
        self.embedded = embedded
        self._resolve = resolve
        self._type: GoType | None = None

    @property
    def type(self) -> GoType:
        if self._type is None:
            self._type = self._resolve()
        return self._type

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {self.offset})"


class GoType:
    """A Go type. Subclasses fill in what their source knows; the defaults describe "nothing"."""

    name: str = "?"
    kind: Kind = Kind.UNKNOWN
    size: int = 0
    signed: bool = False
    runtime_type: int | None = None
    dict_index: int | None = None
    foreign: bool = False  # a C type (c_types.py): pointers index, char * reads as a string

    @property
    def fields(self) -> tuple[Field, ...]:
        return ()

    @property
    def elem(self) -> GoType | None:
        """Element of arrays, slices, channels; value type of maps; target of pointers."""
        return None

    @property
    def key(self) -> GoType | None:
        return None

    @property
    def length(self) -> int:
        return 0

    @property
    def internal(self) -> GoType | None:
        """The runtime struct behind a map or channel header pointer (`hash<K,V>`, `hchan<T>`)."""
        return None

    @property
    def empty_interface(self) -> bool:
        return False

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.kind} size={self.size}>"


class DwarfType(GoType):
    """A type DIE (typedef chains followed), with fields and element types resolved on first use."""

    def __init__(self, table: TypeTable, offset: int, die: DIE) -> None:
        self._table = table
        self.offset = offset
        self.name = _name(die)
        chain = [die]
        while die.tag == "DW_TAG_typedef" and len(chain) < 16:
            nxt = table.dwarf.resolve_type(die)
            if nxt is None:
                break
            die = nxt
            chain.append(die)
        self._die = die
        go_kind = next((_attr(d, DW_AT_GO_KIND) for d in chain if _attr(d, DW_AT_GO_KIND)), 0)
        self.runtime_type = next(
            (_attr(d, DW_AT_GO_RUNTIME_TYPE) for d in chain if _attr(d, DW_AT_GO_RUNTIME_TYPE)), None
        )
        dict_attr = chain[0].attributes.get(DW_AT_GO_DICT_INDEX)
        self.dict_index = dict_attr.value if dict_attr is not None else None
        self._head = next((d for d in chain if _attr(d, DW_AT_GO_ELEM) or _attr(d, DW_AT_GO_KEY)), chain[0])
        self.kind = ABI_KINDS.get(go_kind) or self._kind_from_die()
        self.signed = go_kind in _SIGNED_ABI_KINDS or (
            die.tag == "DW_TAG_base_type" and _attr(die, "DW_AT_encoding") in (5, 6)
        )
        size = die.attributes.get("DW_AT_byte_size")
        self.size = int(size.value) if size is not None else (8 if die.tag == "DW_TAG_pointer_type" else 0)
        if self.name.startswith(".") and len(chain) > 1:
            # A generic function's type parameter (.param0): show the shape it stands for.
            self.name = _name(chain[1])
        if self.name == "":
            self.name = _name(die) or self.kind.value

    def _kind_from_die(self) -> Kind:
        die = self._die
        tag = die.tag
        if tag == "DW_TAG_base_type":
            return ENCODINGS.get(_attr(die, "DW_AT_encoding") or 0, Kind.UNKNOWN)
        if tag == "DW_TAG_pointer_type":
            return Kind.POINTER if "DW_AT_type" in die.attributes else Kind.UNSAFE_POINTER
        if tag == "DW_TAG_structure_type":
            name = _name(die)
            if name == "string":
                return Kind.STRING
            if name.startswith("[]"):
                return Kind.SLICE
            if name in ("runtime.eface", "runtime.iface"):
                return Kind.INTERFACE
            return Kind.STRUCT
        if tag == "DW_TAG_array_type":
            return Kind.ARRAY
        if tag == "DW_TAG_subroutine_type":
            return Kind.FUNC
        return Kind.UNKNOWN

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        if self._die.tag != "DW_TAG_structure_type":
            return ()
        out = []
        for child in self._die.iter_children():
            if child.tag != "DW_TAG_member":
                continue
            loc = child.attributes.get("DW_AT_data_member_location")
            type_offset = ref_offset(child, "DW_AT_type")
            if type_offset is None:
                continue
            out.append(
                Field(
                    _name(child),
                    loc.value if loc is not None and isinstance(loc.value, int) else 0,
                    bool(_attr(child, DW_AT_GO_EMBEDDED_FIELD)),
                    partial(self._table.at, type_offset),
                )
            )
        return tuple(out)

    def _ref(self, die: DIE, attr: str | int) -> GoType | None:
        offset = ref_offset(die, attr)
        return None if offset is None else self._table.at(offset)

    @cached_property
    def elem(self) -> GoType | None:
        if self.kind in (Kind.SLICE, Kind.CHAN, Kind.MAP, Kind.ARRAY):
            found = self._ref(self._head, DW_AT_GO_ELEM)
            if found is not None:
                return found
        if self.kind == Kind.SLICE:
            array = self.field("array")
            return array.type.elem if array is not None else None
        if self._die.tag in ("DW_TAG_pointer_type", "DW_TAG_array_type"):
            return self._ref(self._die, "DW_AT_type")
        return None

    @cached_property
    def key(self) -> GoType | None:
        return self._ref(self._head, DW_AT_GO_KEY) if self.kind == Kind.MAP else None

    @cached_property
    def length(self) -> int:
        if self._die.tag != "DW_TAG_array_type":
            return 0
        for child in self._die.iter_children():
            if child.tag == "DW_TAG_subrange_type":
                count = _attr(child, "DW_AT_count")
                if count is not None:
                    return int(count)
                upper = _attr(child, "DW_AT_upper_bound")
                return int(upper) + 1 if upper is not None else 0
        return 0

    @cached_property
    def internal(self) -> GoType | None:
        if self.kind not in (Kind.MAP, Kind.CHAN) or self._die.tag != "DW_TAG_pointer_type":
            return None
        return self._ref(self._die, "DW_AT_type")

    @property
    def empty_interface(self) -> bool:
        return self.kind == Kind.INTERFACE and _name(self._die) == "runtime.eface"


ForeignType = Callable[[Callable[[int], GoType], int, DIE, Callable[[DIE], DIE | None]], GoType]


class TypeTable:
    """Type DIEs by offset, by name and by runtime type descriptor offset, each found on demand;
    `foreign` makes the types of C units (cgo), given how to make others and follow references."""

    def __init__(self, dwarf: DieSource, foreign: ForeignType | None = None) -> None:
        self.dwarf = dwarf
        self._foreign = foreign
        self._by_offset: dict[int, GoType] = {}
        self._by_name: dict[str, GoType | None] = {}
        self._by_runtime: dict[int, int] = {}
        self._scanner: Iterator[tuple[int, int]] | None = None
        self._unit: tuple[int, int] | None = None
        self._abbrevs: Any = None

    def at(self, offset: int) -> GoType:
        found = self._by_offset.get(offset)
        if found is None:
            die = self.dwarf.die_at(offset)
            if self._foreign is not None and self.dwarf.is_foreign(die):
                found = self._foreign(self.at, offset, die, self.dwarf.resolve_type)
            else:
                found = DwarfType(self, offset, die)
            self._by_offset[offset] = found
        return found

    def named(self, name: str) -> GoType | None:
        """The type DIE called `name` (a package-level named type, or a literal such as `[]int`)."""
        if name in self._by_name:
            return self._by_name[name]
        found = None
        unit = self._types_unit()
        candidates = self.dwarf.find(name, TYPE_TAGS, unit[0], unit[1]) if unit is not None else []
        # Named types appear twice (a typedef and the struct under it): prefer the one that carries
        # the runtime type, which is the one Go's own descriptors point to.
        candidates.sort(key=lambda die: 0 if _attr(die, DW_AT_GO_RUNTIME_TYPE) else 1)
        if candidates:
            found = self.at(candidates[0].offset)
        self._by_name[name] = found
        return found

    def by_runtime_type(self, type_offset: int, name_hint: str = "", scan: bool = True) -> GoType | None:
        """The DWARF type whose `go_runtime_type` is `type_offset` (offset from moduledata.types).

        The type called `name_hint` is tried first; with `scan` false, a type not found by name is
        taken to have no DWARF entry instead of indexing the types unit to make sure.
        """
        if name_hint:
            hinted = self.named(name_hint)
            if hinted is not None and hinted.runtime_type == type_offset:
                return hinted
        offset = self._by_runtime.get(type_offset)
        while offset is None and scan and self._scan_types_unit():
            offset = self._by_runtime.get(type_offset)
        return self.at(offset) if offset is not None else None

    def _scan_types_unit(self, batch: int = 2048) -> bool:
        """Index the next `batch` DIEs of the types unit by go_runtime_type; False when done.

        The scan resumes where the last one stopped, so a lookup pays only until its type is found.
        """
        if self._scanner is None:
            self._scanner = self._types_unit_dies()
        for _ in range(batch):
            found = next(self._scanner, None)
            if found is None:
                return False
            rtype, offset = found
            self._by_runtime.setdefault(rtype, offset)
        return True

    def names(self) -> list[str]:
        """The names of every type in the types unit, sorted (for listing types)."""
        unit = self._types_unit()
        found: set[str] = set()
        if unit is None:
            return []
        try:
            for _, tag, _depth, values in scan(self.dwarf.raw_info, unit[0], unit[1], self._abbrevs, _NAME):
                name = values.get("DW_AT_name")
                if tag in TYPE_TAGS and name:
                    found.add(name.decode("utf-8", "replace"))
        except (ScanError, IndexError, ValueError):
            pass
        return sorted(found)

    def _types_unit(self) -> tuple[int, int] | None:
        """[start, end) of the unit that holds every type DIE (the linker moves them all there)."""
        if self._unit is None:
            anchor = self.dwarf.find_one("int", ("DW_TAG_base_type",))
            if anchor is None:
                return None
            cu = anchor.cu
            self._unit = (cu.cu_die_offset, cu.cu_offset + cu.size)
            self._abbrevs = cu.get_abbrev_table()
        return self._unit

    def _types_unit_dies(self) -> Iterator[tuple[int, int]]:
        unit = self._types_unit()
        if unit is None:
            return
        wanted = frozenset({DW_AT_GO_RUNTIME_TYPE})
        try:
            for offset, tag, _depth, values in scan(self.dwarf.raw_info, unit[0], unit[1], self._abbrevs, wanted):
                rtype = values.get(DW_AT_GO_RUNTIME_TYPE)
                if rtype and tag in TYPE_TAGS:
                    yield rtype, offset
        except (ScanError, IndexError, ValueError):
            return


def _attr(die: DIE, name: Any) -> Any:
    attr = die.attributes.get(name)
    return None if attr is None else attr.value


def _name(die: DIE) -> str:
    value = _attr(die, "DW_AT_name")
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
