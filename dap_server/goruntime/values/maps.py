"""Maps: entries found by walking classic buckets (with overflow chains and a half-done growth)
or Swiss tables (small maps, and directories whose repeated table entries are visited once).

Iteration is lazy and resumable: a page of children walks only as far as that page needs, and
every walk is bounded by MAX_MAP_SLOTS slots, MAX_CHAIN overflow buckets and readable memory.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from functools import cached_property

from ...program.dwarf.maplayout import (
    SLOTS,
    ClassicMap,
    MapLayout,
    MapLayoutError,
    SlotLayout,
    SwissMap,
    map_layout,
)
from ...program.dwarf.types import Kind
from .base import Value, ValueContext, clip
from .context import MAX_CHAIN, MAX_MAP_SLOTS, Loc, Unreadable

# Classic tophash values below this mark empty or evacuated slots (runtime/map.go minTopHash).
_MIN_TOP_HASH = 5
_EVACUATED = frozenset({2, 3, 4})
_SAME_SIZE_GROW = 8
_MAX_LOG2_BUCKETS = 40
_MAX_DIRECTORY = 1 << 20
_MAX_TABLE_CAPACITY = 1024  # internal/runtime/maps.maxTableCapacity
_SWISS_EMPTY_BIT = 0x80
_SCALAR_KEYS = frozenset({Kind.BOOL, Kind.INT, Kind.UINT, Kind.FLOAT, Kind.STRING})
_ADDRESS_KEYS = frozenset({Kind.POINTER, Kind.UNSAFE_POINTER, Kind.CHAN})
_PREVIEW_ENTRIES = 32

Entry = tuple[int, int]  # (key address, value address)


class MapValue(Value):
    @cached_property
    def layout(self) -> MapLayout:
        try:
            return map_layout(self.gotype)
        except MapLayoutError as exc:
            raise Unreadable(str(exc)) from None

    def header(self) -> int:
        return self.word()

    def count(self) -> int:
        header = self.header()
        if header == 0:
            return 0
        layout = self.layout
        if isinstance(layout, ClassicMap):
            count = int.from_bytes(self.ctx.read(header + layout.count, 8), "little", signed=True)
            log2 = self.ctx.read(header + layout.log2_buckets, 1)[0]
            limit = SLOTS * ((2 << min(log2, _MAX_LOG2_BUCKETS)) + 65536)
        else:
            count = self.ctx.word(header + layout.used)
            dir_len = int.from_bytes(self.ctx.read(header + layout.dir_len, 8), "little", signed=True)
            limit = SLOTS if dir_len == 0 else max(dir_len, 0) * _MAX_TABLE_CAPACITY
        if not 0 <= count <= limit:
            raise Unreadable(f"corrupt map: it claims {count} entries")
        return count

    def check(self) -> None:
        self.count()

    def referenced_address(self) -> int | None:
        return self.header() or None

    @cached_property
    def _walk(self) -> _EntryCache:
        return _EntryCache(_iterate(self.ctx, self.header(), self.layout))

    def entries(self, start: int, stop: int) -> list[Entry]:
        return self._walk.get(start, min(stop, MAX_MAP_SLOTS))

    def indexed_count(self) -> int:
        return min(self.count(), MAX_MAP_SLOTS)

    def decode_indexed(self, start: int, stop: int) -> list[Value]:
        key_type, value_type = self.gotype.key, self.gotype.elem
        if key_type is None or value_type is None:
            raise Unreadable(f"the key or value type of {self.type_name} is unknown")
        out: list[Value] = []
        for i, (key_addr, value_addr) in enumerate(self.entries(start, stop), start):
            key = self.ctx.value("key", key_type, Loc(address=key_addr))
            value = self.ctx.value("value", value_type, Loc(address=value_addr))
            out.append(self._entry(i, key, value))
        return out

    def _entry(self, index: int, key: Value, value: Value) -> Value:
        if key.gotype.kind in _ADDRESS_KEYS and key.unreadable is None:
            return MapEntryValue(self.ctx, pointer_key_text(key), key, value)
        if key.gotype.kind not in _SCALAR_KEYS or key.unreadable is not None:
            return MapEntryValue(self.ctx, f"[{index}]", key, value)
        name = key.render(64, 1)
        exact = not name.endswith("more") and not name.endswith("...")
        value.name = name
        value.evaluate_name = self.child_expr(f"[{name}]") if exact else None
        return value

    def render_value(self, budget: int, depth: int) -> str:
        header = self.header()
        prefix = f"{self.type_name} " if depth == 0 else ""
        if header == 0:
            return prefix + "nil"
        count = self.count()
        if depth >= 2 or count == 0:
            return f"{prefix}len: {count}, [{'...' if count else ''}]"
        parts: list[str] = []
        used = len(prefix) + 12
        for entry in self.decode_indexed(0, min(count, _PREVIEW_ENTRIES)):
            if isinstance(entry, MapEntryValue):
                text = entry.render(max(budget - used, 8), depth)
            else:
                text = f"{entry.name}: {entry.render(max(budget - used, 8), depth + 1)}"
            if used + len(text) + 2 > budget and parts:
                break
            parts.append(text)
            used += len(text) + 2
        rest = count - len(parts)
        return f"{prefix}len: {count}, [" + ", ".join(parts) + (f", ...+{rest} more" if rest else "") + "]"


class MapEntryValue(Value):
    """One entry of a map whose keys are not simple scalars: `key` and `value` as children."""

    def __init__(self, ctx: ValueContext, name: str, key: Value, value: Value) -> None:
        super().__init__(ctx, name, value.gotype, value.loc)
        self.key = key
        self.value = value

    def check(self) -> None:
        return None

    def render_value(self, budget: int, depth: int) -> str:
        half = max(budget // 2, 8)
        level = max(depth, 1)
        key = pointer_key_text(self.key) if self.key.gotype.kind in _ADDRESS_KEYS else self.key.render(half, level)
        return clip(f"{key}: {self.value.render(half, level)}", budget)

    def named_count(self) -> int:
        return 2

    def decode_named(self) -> list[Value]:
        return [self.key, self.value]


def pointer_key_text(key: Value) -> str:
    """A pointer key as Go prints it: its address (`0xc000010000`, `<nil>`); what the keys point
    to may look alike, the addresses tell the entries apart."""
    address = key.word()
    return f"{address:#x}" if address else "<nil>"


class _EntryCache:
    """Entries produced so far by a resumable walk, and the error that ended it, if any."""

    def __init__(self, walk: Iterator[Entry]) -> None:
        self._walk = walk
        self._found: list[Entry] = []
        self._done = False
        self._error: Unreadable | None = None

    def get(self, start: int, stop: int) -> list[Entry]:
        while not self._done and len(self._found) < stop:
            try:
                nxt = next(self._walk, None)
            except Unreadable as exc:
                self._error = exc
                nxt = None
            if nxt is None:
                self._done = True
            else:
                self._found.append(nxt)
        if self._error is not None and len(self._found) < stop:
            raise self._error
        return self._found[start:stop]


def _iterate(ctx: ValueContext, header: int, layout: MapLayout) -> Iterator[Entry]:
    if header == 0:
        return iter(())
    if isinstance(layout, ClassicMap):
        return _classic_entries(ctx, header, layout)
    return _swiss_entries(ctx, header, layout)


def _slot(ctx: ValueContext, slots: SlotLayout, base: int, i: int) -> Entry:
    key = slots.key_at(base, i)
    value = slots.value_at(base, i)
    if slots.key_indirect:
        key = ctx.word(key)
    if slots.value_indirect:
        value = ctx.word(value)
    return key, value


def _classic_entries(ctx: ValueContext, header: int, layout: ClassicMap) -> Iterator[Entry]:
    log2 = ctx.read(header + layout.log2_buckets, 1)[0]
    if log2 > _MAX_LOG2_BUCKETS:
        raise Unreadable(f"corrupt map: 2^{log2} buckets")
    flags = ctx.read(header + layout.flags, 1)[0]
    buckets = ctx.word(header + layout.buckets)
    old = ctx.word(header + layout.oldbuckets)
    budget = [MAX_MAP_SLOTS]
    count = 1 << log2
    size = layout.bucket.size
    if buckets:
        for b in range(count):
            yield from _bucket_chain(ctx, layout.bucket, buckets + b * size, budget, skip_evacuated=False)
    if old:
        old_count = count if flags & _SAME_SIZE_GROW else max(count >> 1, 1)
        for b in range(old_count):
            yield from _bucket_chain(ctx, layout.bucket, old + b * size, budget, skip_evacuated=True)


def _bucket_chain(
    ctx: ValueContext, slots: SlotLayout, bucket: int, budget: list[int], skip_evacuated: bool
) -> Iterator[Entry]:
    seen: set[int] = set()
    assert slots.overflow is not None
    for _ in range(MAX_CHAIN):
        if bucket == 0 or bucket in seen or budget[0] <= 0:
            return
        seen.add(bucket)
        raw = ctx.read(bucket, slots.size)
        tophash = raw[slots.ctrl : slots.ctrl + SLOTS]
        if skip_evacuated and tophash[0] in _EVACUATED:
            return
        budget[0] -= SLOTS
        for i in range(SLOTS):
            if tophash[i] >= _MIN_TOP_HASH:
                yield _slot(ctx, slots, bucket, i)
        bucket = struct.unpack_from("<Q", raw, slots.overflow)[0]


def _swiss_entries(ctx: ValueContext, header: int, layout: SwissMap) -> Iterator[Entry]:
    dir_ptr = ctx.word(header + layout.dir_ptr)
    dir_len = int.from_bytes(ctx.read(header + layout.dir_len, 8), "little", signed=True)
    if dir_len == 0:
        if dir_ptr:
            yield from _group(ctx, layout.group, dir_ptr)
        return
    if not 0 < dir_len <= _MAX_DIRECTORY:
        raise Unreadable(f"corrupt map: a directory of {dir_len} tables")
    tables = struct.unpack(f"<{dir_len}Q", ctx.read(dir_ptr, 8 * dir_len))
    seen: set[int] = set()
    visited = 0
    for table in tables:
        if table in seen or table == 0:
            continue
        seen.add(table)
        groups = ctx.word(table + layout.table_groups)
        mask = ctx.word(table + layout.table_mask)
        if mask >= _MAX_TABLE_CAPACITY or (mask + 1) & mask:
            raise Unreadable(f"corrupt map table at {table:#x}: {mask + 1} groups")
        for g in range(mask + 1):
            visited += SLOTS
            if visited > MAX_MAP_SLOTS:
                return
            yield from _group(ctx, layout.group, groups + g * layout.group.size)


def _group(ctx: ValueContext, slots: SlotLayout, group: int) -> Iterator[Entry]:
    ctrl = ctx.read(group + slots.ctrl, SLOTS)
    for i in range(SLOTS):
        if not ctrl[i] & _SWISS_EMPTY_BIT:
            yield _slot(ctx, slots, group, i)
