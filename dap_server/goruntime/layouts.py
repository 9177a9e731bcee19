"""Offsets of runtime structs, read from the binary's DWARF, with per-release tables as fallback."""

from __future__ import annotations

import contextlib

from ..program.dwarf.dies import DwarfError
from ..program.dwarf.raw_reader import StructType
from ..program.layout_tables import NESTED, fallback_size, fallback_tables, release_key
from ..program.program import Program

# Structs read at launch: found in one pass over .debug_info.
RUNTIME_STRUCTS = (
    "runtime.g",
    "runtime.m",
    "runtime.gobuf",
    "runtime.stack",
    "runtime._panic",
    "runtime.moduledata",
    "runtime.schedt",
)
# Found by the same pass if met before it ends: the crash explanation and the blocking graph read them.
LAUNCH_STRUCTS = ("runtime.sigTabT", "runtime.sudog", "runtime.semaRoot", "sync.Mutex", "internal/sync.Mutex")
# Members whose value sits in a wrapper struct (atomic.Uint32 and friends): read `.value`.
_ATOMIC_WRAPPERS = ("value",)


class LayoutError(Exception):
    """A runtime struct field godap needs is absent from both DWARF and the fallback tables."""


class RuntimeLayouts:
    """`offset("runtime.g", "sched.sp")` and friends, from DWARF when the binary has it."""

    def __init__(self, program: Program) -> None:
        self._program = program
        self._use_dwarf = program.dwarf.present
        self._cache: dict[tuple[str, str], int | None] = {}
        self._minor = release_key(program.go_minor)
        self._fallback = fallback_tables(self._minor)
        if self._use_dwarf:
            with contextlib.suppress(DwarfError):
                program.dwarf.prefetch_structs(RUNTIME_STRUCTS, also=LAUNCH_STRUCTS)
        self.source = "DWARF" if self._use_dwarf else f"built-in tables for go1.{self._minor}"
        self.dwarf_damage: str | None = None  # why DWARF layouts failed, once they have

    def offset(self, struct: str, path: str) -> int | None:
        key = (struct, path)
        if key not in self._cache:
            self._cache[key] = self._resolve(struct, path)
        return self._cache[key]

    def require(self, struct: str, path: str) -> int:
        """The offset of `struct.path`, or LayoutError when neither DWARF nor the tables have it."""
        off = self.offset(struct, path)
        if off is None:
            raise LayoutError(f"cannot find {struct}.{path} in this binary ({self.source})")
        return off

    def size(self, struct: str) -> int | None:
        if self._use_dwarf:
            try:
                layout = self._program.dwarf.struct(struct)
            except DwarfError:
                layout = None
            if layout is not None:
                return layout.size
        return fallback_size(self._minor, struct)

    def has(self, struct: str, path: str) -> bool:
        return self.offset(struct, path) is not None

    def _resolve(self, struct: str, path: str) -> int | None:
        if self._use_dwarf:
            try:
                found = self.dwarf_offset(struct, path)
            except DwarfError as exc:
                found = None
                if self.dwarf_damage is None:
                    self.dwarf_damage = str(exc)
                    self.source = f"built-in tables for go1.{self._minor} (the DWARF is unreadable)"
            if found is not None:
                return found
        return self.table_offset(struct, path)

    def dwarf_offset(self, struct: str, path: str) -> int | None:
        """The offset as the binary's DWARF gives it (None if absent; DwarfError if unreadable)."""
        dwarf = self._program.dwarf
        layout: StructType | None = dwarf.struct(struct)
        total = 0
        parts = path.split(".")
        for i, part in enumerate(parts):
            if layout is None or part not in layout.members:
                return None
            member = layout.members[part]
            total += member.offset
            if i + 1 < len(parts):
                layout = dwarf.member_type_struct(member)
        inner = dwarf.member_type_struct(layout.members[parts[-1]]) if layout is not None else None
        if inner is not None and set(inner.members) & set(_ATOMIC_WRAPPERS) and len(inner.members) <= 3:
            total += inner.members["value"].offset
        return total

    def table_offset(self, struct: str, path: str) -> int | None:
        """The offset as the built-in tables give it for this binary's release."""
        first, _, rest = path.partition(".")
        table = self._fallback.get(struct, {})
        if first not in table:
            return None
        base = table[first]
        if not rest:
            return base
        nested = NESTED.get((struct, first))
        if nested is None:
            return None
        inner = self.table_offset(nested, rest)
        return None if inner is None else base + inner
