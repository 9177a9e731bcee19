"""What type each heap object has, from the two sources a core holds:

1. the runtime's own record (1.22+): the `*abi.Type` malloc header of objects above 512 bytes and
   `mspan.largeType` of objects with a span of their own — exact, element type tiled over the slot;
2. propagation from typed roots (as viewcore does): a global's DWARF type says what its pointer,
   slice, string, interface, map, channel and func words point to, and so on from object to object.

An object neither reaches stays untyped: the histogram counts it by size as unknown.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ...debuggee.api import Memory, UnreadableMemory
from ...program.dwarf.dies import DwarfError
from ...program.dwarf.types import GoType, Kind
from ...program.program import Program
from ..values.context import DECODE_ERRORS, ProcessReader
from ..values.rtypes import RuntimeTypes
from .image import WordImage
from .layout import WORD, HeapLayout
from .maptypes import map_contents
from .spans import ObjectTable, SpanTable

UNKNOWN = -1
MAX_RULES = 4096  # pointer slots followed in one type (a bigger array's tail is left to the GC bits)
MAX_ELEMENTS = 1 << 22
MAX_GLOBALS = 1 << 15
CHASE_AFTER = 256  # objects of one type typed one by one in a row: a list, chased with numpy
VECTOR_MIN = 64  # elements of one type scanned with numpy; fewer go one by one
SCAN_CHUNK = 1 << 16  # elements scanned with numpy at once

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Rule:
    offset: int
    kind: Kind
    target: GoType | None


class TypeNames:
    """Type names by small integer id."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._ids: dict[str, int] = {}

    def find(self, name: str) -> int:
        return self._ids.get(name, UNKNOWN)

    def id(self, name: str) -> int:
        found = self._ids.get(name)
        if found is None:
            found = self._ids[name] = len(self.names)
            self.names.append(name)
        return found


class ObjectTyper:
    """Assigns `types[i]` (a TypeNames id, UNKNOWN) to every object it can.

    Typed objects wait in a queue; many of one type are scanned together with numpy, few (the
    links of a list) one by one in Python, where numpy's per-call cost would dominate.
    """

    def __init__(
        self,
        memory: Memory,
        program: Program,
        layout: HeapLayout,
        spans: SpanTable,
        objects: ObjectTable,
        image: WordImage,
    ) -> None:
        self._memory = memory
        self._program = program
        self._layout = layout
        self._objects = objects
        self._image = image
        self._rtypes = RuntimeTypes(ProcessReader(memory, program))
        self._rules: dict[int, list[Rule]] = {}
        self.names = TypeNames()
        self.types = np.full(len(objects), UNKNOWN, dtype=np.int32)
        self._skip = _header_skips(layout, spans, objects)
        # The one-by-one path reads these per object: views of the arrays, cheap to index from Python.
        self._addr_view = _view(objects.addr)
        self._size_view = _view(objects.size)
        self._skip_view = _view(self._skip)
        self._pending: list[tuple[npt.NDArray[np.int64], GoType, npt.NDArray[np.int64]]] = []
        self._pending_one: list[tuple[int, GoType, int]] = []
        self._name_ids: dict[tuple[int, int], int] = {}

    # sources ----------------------------------------------------------------------------------
    def type_from_headers(self, spans: SpanTable) -> None:
        """Objects whose header or span names their type (1.22+)."""
        layout, objects = self._layout, self._objects
        if layout.header_min is None:
            return
        headed_spans, large_spans = spans.typed(layout.header_min)
        headed = np.nonzero(headed_spans[objects.span])[0]
        words, ok = self._image.gather(objects.addr[headed])
        owners = np.nonzero(large_spans[objects.span])[0]
        for index, typ in ((headed[ok], words[ok]), (owners, spans.large_type[objects.span[owners]])):
            for addr, members in _grouped(typ, index):
                gotype = self._go_type(addr) if addr else None
                if gotype is not None and gotype.size > 0:
                    counts = (objects.size[members] - self._skip[members]) // gotype.size
                    self._assign(members, gotype, counts)

    def type_from_globals(self, globals_: list[tuple[str, int]]) -> None:
        """Globals (name, address) that point into the heap, typed by their DWARF variable."""
        dwarf = self._program.dwarf
        if not dwarf.present:
            return
        for name, addr in globals_[:MAX_GLOBALS]:
            try:
                die = dwarf.find_one(name, ("DW_TAG_variable",))
                offset = dwarf.type_offset(die) if die is not None else None
                gotype = dwarf.types.at(offset) if offset is not None else None
            except DwarfError:
                continue
            if gotype is not None:
                for rule in self.rules(gotype):
                    self._follow_one(addr + rule.offset, rule)

    def propagate(self, progress: Progress | None = None) -> None:
        rounds = 0
        while self._pending or self._pending_one:
            batch, self._pending = self._pending, []
            rounds += 1
            if progress is not None and rounds % 4096 == 0:
                progress("Typing objects", int(np.count_nonzero(self.types != UNKNOWN)), len(self.types))
            for objs, gotype, counts in batch:
                if int(counts.sum()) >= VECTOR_MIN:
                    self._scan_many(objs, gotype, counts, self.rules(gotype))
                else:
                    self._pending_one += zip(objs.tolist(), [gotype] * len(objs), counts.tolist(), strict=True)
            streak: tuple[int, int] = (0, 0)  # (type, objects of it scanned one by one in a row)
            while self._pending_one and not self._pending:
                obj, gotype, count = self._pending_one.pop()
                streak = (id(gotype), streak[1] + 1 if streak[0] == id(gotype) else 1)
                if streak[1] > CHASE_AFTER and self._chase(gotype):
                    streak = (0, 0)
                rules = self.rules(gotype)
                base = self._addr_view[obj] + self._skip_view[obj]
                for k in range(count):
                    for rule in rules:
                        self._follow_one(base + k * gotype.size + rule.offset, rule)

    # one word at a time -----------------------------------------------------------------------
    def _follow_one(self, where: int, rule: Rule) -> None:
        memory = self._memory
        try:
            pointer = memory.u64(where)
            if not pointer:
                return
            kind = rule.kind
            if kind == Kind.POINTER:
                self._target_one(pointer, rule.target, 1)
            elif kind == Kind.SLICE:
                self._target_one(pointer, rule.target, memory.u64(where + 2 * WORD))
            elif kind == Kind.INTERFACE:
                data = memory.u64(where + WORD)
                if data:
                    self._interface(pointer, data, rule)
            elif kind == Kind.MAP and rule.target is not None:
                self._map(pointer, rule.target)
            else:
                name = self._named_target(pointer, rule)
                obj = self._object_at(pointer)
                if obj >= 0 and self.types[obj] == UNKNOWN:
                    self.types[obj] = self.names.id(name)
        except (*DECODE_ERRORS, UnreadableMemory):
            return

    def _map(self, header: int, map_type: GoType) -> None:
        """Type the map's header and internal objects, and what its live keys and values point to."""
        obj = self._object_at(header)
        if obj < 0 or self.types[obj] != UNKNOWN:
            return  # not in the heap, or walked already
        self.types[obj] = self.names.id(map_type.name)
        contents = map_contents(self._memory, header, map_type)
        if contents is None:
            return
        for addr, name in contents.internals:
            inner = self._object_at(addr)
            if inner >= 0 and self.types[inner] == UNKNOWN:
                self.types[inner] = self.names.id(name)
        for stored, gotype, indirect in (
            (contents.keys, map_type.key, contents.key_indirect),
            (contents.values, map_type.elem, contents.value_indirect),
        ):
            if gotype is None:
                continue
            if indirect:
                for where in stored:
                    self._target_one(self._memory.u64(where), gotype, 1)
                continue
            rules = self.rules(gotype)
            for where in stored:
                for rule in rules:
                    self._follow_one(where + rule.offset, rule)

    def _interface(self, word: int, data: int, rule: Rule) -> None:
        empty = rule.target is not None and rule.target.empty_interface
        rtype = word if empty else self._memory.u64(word + WORD)
        dynamic = self._go_type(rtype) if rtype else None
        if dynamic is None:
            return
        if not self._rtypes.is_direct(rtype):
            self._target_one(data, dynamic, 1)
        elif dynamic.kind == Kind.POINTER:
            self._target_one(data, dynamic.elem, 1)

    def _named_target(self, pointer: int, rule: Rule) -> str:
        """The name of what a string, channel or func word points to."""
        if rule.kind == Kind.STRING:
            return "string bytes"
        if rule.kind == Kind.FUNC:
            func = self._program.pclntab.func_for_pc(self._memory.u64(pointer))
            return f"closure {func.name}" if func is not None else "closure"
        return rule.target.name if rule.target is not None else "?"

    def _object_at(self, addr: int) -> int:
        """The object whose data starts exactly at `addr` (after its malloc header), else -1."""
        i = bisect_right(self._addr_view, addr) - 1
        if i < 0 or addr != self._addr_view[i] + self._skip_view[i] or addr >= self._addr_view[i] + self._size_view[i]:
            return -1
        return i

    def _target_one(self, addr: int, gotype: GoType | None, count: int) -> None:
        if gotype is None or gotype.size <= 0 or count <= 0:
            return
        obj = self._object_at(addr)
        if obj < 0 or self.types[obj] != UNKNOWN:
            return
        fits = (self._size_view[obj] - self._skip_view[obj]) // gotype.size
        count = max(1, min(count, fits))
        key = (id(gotype), count)
        name = self._name_ids.get(key)
        if name is None:
            name = self._name_ids[key] = self.names.id(gotype.name if count == 1 else f"[{count}]{gotype.name}")
        self.types[obj] = name
        if self.rules(gotype):
            self._pending_one.append((obj, gotype, count))

    # many words at once -----------------------------------------------------------------------
    def _chase(self, gotype: GoType) -> bool:
        """Type at once every untyped object down the chains of `gotype`'s pointers to its own
        type (a linked list), by pointer doubling over all objects the type fits; False if none."""
        chained = False
        objects, size = self._objects, gotype.size
        for rule in self.rules(gotype):
            if rule.kind != Kind.POINTER or rule.target is None or rule.target.name != gotype.name:
                continue
            candidate = self.types == UNKNOWN
            for lo in range(0, len(candidate), SCAN_CHUNK):  # untyped, with room for one element
                room = objects.size[lo : lo + SCAN_CHUNK] - self._skip[lo : lo + SCAN_CHUNK]
                candidate[lo : lo + SCAN_CHUNK] &= (room >= size) & (room < 2 * size)
            seeds = self.types == self.names.find(gotype.name)
            jump = np.full(len(objects), -1, dtype=np.int32)
            involved = np.nonzero(candidate | seeds)[0]
            for lo in range(0, len(involved), SCAN_CHUNK):  # where each one's pointer leads, if to a candidate
                part = involved[lo : lo + SCAN_CHUNK]
                words, ok = self._image.gather(
                    objects.addr[part] + self._skip[part].astype(np.uint64) + np.uint64(rule.offset)
                )
                targets = np.where(ok, self._objects_at(words), -1)
                hit = targets >= 0
                targets[hit] = np.where(candidate[targets[hit]], targets[hit], -1)
                jump[part] = targets
            del involved
            reached = seeds.copy()
            while True:  # reached: what lies fewer than 2**k steps from a seed; jump: 2**k steps
                step = jump[reached]
                grown = reached.copy()
                grown[step[step >= 0]] = True
                if np.array_equal(grown, reached):
                    break
                reached = grown
                ahead = jump[np.maximum(jump, 0)]
                ahead[jump < 0] = -1
                jump = ahead
            found = np.nonzero(reached & candidate)[0]
            del jump, step, grown, reached, candidate, seeds
            if len(found):
                self._assign(found, gotype, np.broadcast_to(np.int64(1), len(found)))
                chained = True
        return chained

    def _scan_many(
        self, objs: npt.NDArray[np.int64], gotype: GoType, counts: npt.NDArray[np.int64], rules: list[Rule]
    ) -> None:
        counts = np.minimum(counts, MAX_ELEMENTS)
        ends = np.cumsum(counts)
        for lo in range(0, int(ends[-1]) if len(ends) else 0, SCAN_CHUNK):  # temporaries: 8 bytes an element
            element = np.arange(lo, min(lo + SCAN_CHUNK, int(ends[-1])))
            which = np.searchsorted(ends, element, side="right")
            owner = objs[which]
            index = element - (ends[which] - counts[which])
            bases = self._objects.addr[owner] + self._skip[owner].astype(np.uint64)
            bases += (index * gotype.size).astype(np.uint64)
            del element, which, owner, index
            self._scan_elements(bases, rules)

    def _scan_elements(self, bases: npt.NDArray[np.uint64], rules: list[Rule]) -> None:
        """Follow the pointer slots (`rules`) of the elements at `bases`."""
        for rule in rules:
            where = bases + np.uint64(rule.offset)
            pointers, ok = self._image.gather(where)
            ok &= pointers != 0
            if rule.kind in (Kind.POINTER, Kind.SLICE):
                if rule.target is None or rule.target.size <= 0:
                    continue
                if rule.kind == Kind.SLICE:
                    caps, _ = self._image.gather(where[ok] + np.uint64(2 * WORD))
                    lengths = caps.astype(np.int64)
                else:
                    lengths = np.ones(int(ok.sum()), dtype=np.int64)
                targets = self._objects_at(pointers[ok])
                hit = targets >= 0
                self._assign(targets[hit], rule.target, lengths[hit])
            else:
                for where_one in where[ok].tolist():
                    self._follow_one(where_one, rule)

    def _objects_at(self, addrs: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        found = self._objects.containing(addrs)
        exact = found >= 0
        exact[exact] &= addrs[exact] == self._objects.addr[found[exact]] + self._skip[found[exact]].astype(np.uint64)
        return np.where(exact, found, -1)

    def _assign(self, objs: npt.NDArray[np.int64], gotype: GoType, counts: npt.NDArray[np.int64]) -> None:
        """Type the untyped ones of `objs` as `counts` elements of `gotype` (clipped to the slot)."""
        untyped = self.types[objs] == UNKNOWN
        if not untyped.all():
            objs, counts = objs[untyped], counts[untyped]
        del untyped
        if len(objs) == 0:
            return
        if len(objs) > 1 and not bool((objs[1:] > objs[:-1]).all()):  # not distinct and sorted already
            objs, first = np.unique(objs, return_index=True)
            counts = counts[first]
        for lo in range(0, len(objs), SCAN_CHUNK):  # temporaries: 8 bytes an object of the chunk
            part = objs[lo : lo + SCAN_CHUNK]
            fits = (self._objects.size[part] - self._skip[part]) // max(gotype.size, 1)
            part_counts = np.clip(counts[lo : lo + SCAN_CHUNK], 1, np.maximum(fits, 1))
            low, high = int(part_counts.min()), int(part_counts.max())
            for count in [low] if low == high else np.unique(part_counts).tolist():
                name = gotype.name if count == 1 else f"[{count}]{gotype.name}"
                self.types[part if low == high else part[part_counts == count]] = self.names.id(name)
            if self.rules(gotype):
                self._pending.append((part, gotype, part_counts))

    def _go_type(self, rtype: int) -> GoType | None:
        try:
            return self._rtypes.go_type(rtype)
        except (*DECODE_ERRORS, UnreadableMemory):
            return None

    def rules(self, gotype: GoType) -> list[Rule]:
        """The pointer-holding slots of one value of `gotype`, by offset."""
        key = id(gotype)
        found = self._rules.get(key)
        if found is None:
            found = []
            with contextlib.suppress(*DECODE_ERRORS):
                _collect(gotype, 0, found, 0)
            self._rules[key] = found
        return found


def _view(values: npt.NDArray[Any]) -> memoryview:
    return memoryview(np.ascontiguousarray(values))  # type: ignore[arg-type]  # numpy's buffer, not in its stubs


def _header_skips(layout: HeapLayout, spans: SpanTable, objects: ObjectTable) -> npt.NDArray[np.int8]:
    """Bytes before each object's data: 8 for objects with a malloc header, else 0."""
    if layout.header_min is None:
        return np.zeros(len(objects), dtype=np.int8)
    headed, _ = spans.typed(layout.header_min)
    return np.where(headed, np.int8(WORD), np.int8(0))[objects.span]


def _grouped(keys: npt.NDArray[np.uint64], index: npt.NDArray[np.int64]) -> list[tuple[int, npt.NDArray[np.int64]]]:
    """(key, the entries of `index` with that key) for each distinct key."""
    order = np.argsort(keys, kind="stable")
    unique, first = np.unique(keys[order], return_index=True)
    bounds = [*first.tolist(), len(order)]
    return [(key, index[order[bounds[k] : bounds[k + 1]]]) for k, key in enumerate(unique.tolist())]


def _collect(gotype: GoType, base: int, out: list[Rule], depth: int) -> None:
    if len(out) >= MAX_RULES or depth > 32:
        return
    kind = gotype.kind
    if kind in (Kind.POINTER, Kind.SLICE):
        out.append(Rule(base, kind, gotype.elem))
    elif kind in (Kind.STRING, Kind.MAP, Kind.CHAN, Kind.FUNC, Kind.INTERFACE):
        out.append(Rule(base, kind, gotype))
    elif kind == Kind.STRUCT:
        for field in gotype.fields:
            _collect(field.type, base + field.offset, out, depth + 1)
    elif kind == Kind.ARRAY and gotype.elem is not None and gotype.elem.size > 0:
        inner: list[Rule] = []
        _collect(gotype.elem, 0, inner, depth + 1)
        if inner:
            for k in range(min(gotype.length, (MAX_RULES - len(out)) // len(inner) + 1)):
                out.extend(Rule(base + k * gotype.elem.size + r.offset, r.kind, r.target) for r in inner)
