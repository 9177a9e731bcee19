"""Runtime type descriptors (`internal/abi.Type`): names, kinds and the DWARF type they stand for.

An interface holds a pointer to a descriptor (directly in an eface, through the itab of an
iface); so do generic dictionaries. A descriptor is matched to its DWARF type through
`go_runtime_type` (its offset from `moduledata.types`), with the descriptor's own name, made
fully qualified from the uncommon type's package path, tried first. Types the linker left out of
DWARF (a type only ever stored in an interface) are described from the descriptor itself.
"""

from __future__ import annotations

import struct
from functools import cached_property, partial

from ...binfmt.leb128 import LebError, read_uleb
from ...program.dwarf.dies import DwarfError
from ...program.dwarf.types import ABI_KINDS, Field, GoType, Kind
from ...program.layout_tables import DIRECT_IFACE, fallback_size, fallback_tables, release_key
from .context import DECODE_ERRORS, ProcessReader, Unreadable
from .kinds import AbiKind, RuntimeType

_TFLAG_UNCOMMON = 1
_TFLAG_EXTRA_STAR = 2
_TFLAG_NAMED = 4
_MAX_NAME_DEPTH = 8
_COMPOSITE_NAMES = {17: "", 18: "", 21: "", 22: "*", 23: "[]"}  # array, chan, map, pointer, slice
_CHAN_PREFIX = {1: "<-chan ", 2: "chan<- "}
_KIND_MASK = 0x1F
_NAME_EMBEDDED = 8
_MAX_NAME = 1 << 16
_MAX_FIELDS = 1 << 12
_SIGNED = frozenset({2, 3, 4, 5, 6})
_ABI_STRUCTS = {
    17: "internal/abi.ArrayType",
    18: "internal/abi.ChanType",
    19: "internal/abi.FuncType",
    20: "internal/abi.InterfaceType",
    21: "internal/abi.MapType",
    22: "internal/abi.PtrType",
    23: "internal/abi.SliceType",
    25: "internal/abi.StructType",
}


class RuntimeTypes:
    """Reads type descriptors of one process and maps them to GoTypes."""

    def __init__(self, reader: ProcessReader) -> None:
        self.reader = reader
        self._types: dict[int, GoType] = {}
        self._names: dict[int, str] = {}

    @cached_property
    def types_base(self) -> int:
        """Run-time address of moduledata.types, which descriptor offsets are relative to."""
        program = self.reader.program
        module = program.symbol_address("runtime.firstmoduledata")
        try:
            layout = program.dwarf.struct("runtime.moduledata")
        except DwarfError:
            layout = None
        if module is not None and layout is not None and "types" in layout.members:
            return self.reader.word(module + layout.members["types"].offset)
        if module is not None:  # stripped: DWARF is gone too, the release's table knows the field
            return self.reader.word(module + fallback_tables(program.go_minor)["runtime.moduledata"]["types"])
        base = program.symbol_address("runtime.types")
        if base is None:
            raise Unreadable("cannot locate the runtime type data (no runtime.types symbol)")
        return base

    @cached_property
    def _direct_iface(self) -> tuple[str, int]:
        """Which byte of a descriptor holds the direct-interface bit: TFlag from Go 1.26, Kind_ before."""
        dwarf = self.reader.program.dwarf
        try:
            tflag = dwarf.constant("internal/abi.TFlagDirectIface")
            kind = dwarf.constant("internal/abi.KindDirectIface")
        except DwarfError:
            tflag = kind = None
        if tflag is not None:
            return "tflag", tflag
        if kind is not None:
            return "kind", kind
        return DIRECT_IFACE[release_key(self.reader.program.go_minor)]

    def header(self, addr: int) -> tuple[int, int, int, int]:
        """(size, tflag, kind byte, name offset) of the descriptor at `addr`."""
        size, _ptrs, _hash, tflag, _align, _falign, kind = struct.unpack("<QQIBBBB", self.reader.read(addr, 24))
        (name_off,) = struct.unpack("<i", self.reader.read(addr + 40, 4))
        return size, tflag, kind, name_off

    def kind(self, addr: int) -> int:
        return self.header(addr)[2] & _KIND_MASK

    def describe(self, addr: int) -> RuntimeType | None:
        """Size, kind and name of the descriptor at `addr`, or None if it cannot be read."""
        try:
            size, _, kind, _ = self.header(addr)
            name = self.name(addr)
        except DECODE_ERRORS:
            return None
        masked = kind & _KIND_MASK
        return RuntimeType(
            addr, size, AbiKind(masked) if masked in AbiKind._value2member_map_ else AbiKind.INVALID, name
        )

    def is_direct(self, addr: int) -> bool:
        """Whether an interface holding this type stores the value itself in its data word."""
        _, tflag, kind, _ = self.header(addr)
        where, bit = self._direct_iface
        return bool((tflag if where == "tflag" else kind) & bit)

    def name(self, addr: int) -> str:
        """The descriptor's type name as reflect prints it ("*main.T", "[]string")."""
        found = self._names.get(addr)
        if found is None:
            _, tflag, _, name_off = self.header(addr)
            found = self.read_name(self.types_base + name_off)
            if tflag & _TFLAG_EXTRA_STAR and found.startswith("*"):
                found = found[1:]
            self._names[addr] = found
        return found

    def read_name(self, addr: int) -> str:
        """An abi.Name: flag byte, uvarint length, bytes."""
        try:
            length, pos = read_uleb(self.reader.read(addr, 11), 1)
        except LebError as exc:
            raise Unreadable(f"corrupt type name at {addr:#x}") from exc
        if length > _MAX_NAME:
            raise Unreadable(f"corrupt type name of {length} bytes at {addr:#x}")
        return self.reader.read(addr + pos, length).decode("utf-8", "replace")

    def qualified_name(self, addr: int, depth: int = 0) -> str:
        """The name as DWARF spells it: package paths instead of package names ("*net/http.Server"
        where reflect says "*http.Server"), rebuilt through pointer, slice, array, map and chan types."""
        name = self.name(addr)
        _, tflag, kind_byte, _ = self.header(addr)
        kind = kind_byte & _KIND_MASK
        if tflag & _TFLAG_NAMED:
            return self._with_package_path(addr, name, tflag, kind)
        if depth >= _MAX_NAME_DEPTH or kind not in _COMPOSITE_NAMES:
            return name

        def part(offset: int) -> str:
            return self.qualified_name(self.reader.word(addr + offset), depth + 1)

        if kind == 17:
            return f"[{self.reader.word(addr + 64)}]{part(48)}"
        if kind == 21:
            return f"map[{part(48)}]{part(56)}"
        if kind == 18:
            return _CHAN_PREFIX.get(self.reader.word(addr + 56), "chan ") + part(48)
        return _COMPOSITE_NAMES[kind] + part(48)

    def _with_package_path(self, addr: int, name: str, tflag: int, kind: int) -> str:
        if not tflag & _TFLAG_UNCOMMON:
            return name
        uncommon = addr + self._descriptor_size(kind)
        (pkg_off,) = struct.unpack("<i", self.reader.read(uncommon, 4))
        dot = name.find(".")
        if not pkg_off or dot < 0:
            return name
        path = self.read_name(self.types_base + pkg_off)
        return path + name[dot:] if "/" in path else name

    def _descriptor_size(self, kind: int) -> int:
        struct_name = _ABI_STRUCTS.get(kind)
        if struct_name is not None:
            try:
                layout = self.reader.program.dwarf.struct(struct_name)
            except DwarfError:
                layout = None
            if layout is not None:
                return layout.size
        return fallback_size(self.reader.program.go_minor, struct_name or "internal/abi.Type") or 48

    def go_type(self, addr: int) -> GoType:
        """The GoType of the descriptor at `addr`: from DWARF when it has one, else from the descriptor."""
        cached = self._types.get(addr)
        if cached is not None:
            return cached
        found: GoType | None = None
        offset = addr - self.types_base
        name = self.qualified_name(addr)
        _, tflag, _, _ = self.header(addr)
        # A named type's DWARF name is its qualified name: when that finds nothing, there is no entry
        # to find. Other names (literals, instantiations) may be spelled differently: index to be sure.
        scan = not tflag & _TFLAG_NAMED or "[" in name
        try:
            found = self.reader.types.by_runtime_type(offset, name, scan)
            if found is None and self.name(addr) == "uintptr":
                # Go 1.21/1.22 wrote the absolute link-time address for uintptr.
                found = self.reader.types.by_runtime_type(addr - self.reader.program.bias)
        except DwarfError:
            found = None
        if found is None:
            found = DescriptorType(self, addr)
        self._types[addr] = found
        return found


class DescriptorType(GoType):
    """A Go type read from its runtime descriptor, for types that have no DWARF entry."""

    def __init__(self, rtypes: RuntimeTypes, addr: int) -> None:
        self._rtypes = rtypes
        self.addr = addr
        size, _tflag, kind, _ = rtypes.header(addr)
        self._abi_kind = kind & _KIND_MASK
        self.name = rtypes.qualified_name(addr)
        self.kind = ABI_KINDS.get(self._abi_kind, Kind.UNKNOWN)
        self.size = size
        self.signed = self._abi_kind in _SIGNED
        self.runtime_type = addr - rtypes.types_base

    def _type_at(self, offset: int) -> GoType | None:
        target = self._rtypes.reader.word(self.addr + offset)
        return self._rtypes.go_type(target) if target else None

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        if self.kind != Kind.STRUCT:
            return ()
        reader = self._rtypes.reader
        data, length = struct.unpack("<Qq", reader.read(self.addr + 56, 16))
        out = []
        for i in range(max(0, min(length, _MAX_FIELDS))):
            name_ptr, type_ptr, offset = struct.unpack("<QQQ", reader.read(data + 24 * i, 24))
            embedded = bool(reader.read(name_ptr, 1)[0] & _NAME_EMBEDDED)
            out.append(
                Field(self._rtypes.read_name(name_ptr), offset, embedded, partial(self._rtypes.go_type, type_ptr))
            )
        return tuple(out)

    @cached_property
    def elem(self) -> GoType | None:
        if self._abi_kind == 21:
            return self._type_at(56)
        if self.kind in (Kind.POINTER, Kind.SLICE, Kind.ARRAY, Kind.CHAN):
            return self._type_at(48)
        return None

    @cached_property
    def key(self) -> GoType | None:
        return self._type_at(48) if self.kind == Kind.MAP else None

    @cached_property
    def length(self) -> int:
        return self._rtypes.reader.word(self.addr + 64) if self.kind == Kind.ARRAY else 0

    @property
    def empty_interface(self) -> bool:
        if self.kind != Kind.INTERFACE:
            return False
        return self._rtypes.reader.word(self.addr + 64) == 0
