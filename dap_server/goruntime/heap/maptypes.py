"""The objects a map is made of and where its live keys and values are, for typing the heap: a
classic map's bucket arrays and overflow buckets (≤ 1.23, or 1.24/1.25 built without Swiss maps),
a Swiss map's directory, tables and group arrays (1.24+). Layouts come from DWARF
(program/dwarf/maplayout.py); a slot is live when its tophash (classic: ≥ minTopHash) or control
byte (Swiss: high bit clear) says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ...debuggee.api import Memory
from ...program.dwarf.maplayout import SLOTS, ClassicMap, MapLayoutError, SlotLayout, SwissMap, map_layout
from ...program.dwarf.types import GoType
from .layout import WORD

MIN_TOP_HASH = 5  # classic tophash values below this mark empty or evacuated slots
CTRL_EMPTY_BIT = 0x80  # Swiss control bytes with the high bit set are empty or deleted
MAX_SLOTS = 1 << 22
MAX_TABLES = 1 << 16
MAX_OVERFLOW = 1 << 20


@dataclass
class MapContents:
    internals: list[tuple[int, str]] = field(default_factory=list)  # (address, what it is)
    keys: list[int] = field(default_factory=list)  # where each live key is stored
    values: list[int] = field(default_factory=list)
    key_indirect: bool = False  # a slot holds a pointer to the key (keys over 128 bytes)
    value_indirect: bool = False


def map_contents(memory: Memory, header: int, map_type: GoType) -> MapContents | None:
    """What the map at `header` holds; None when its layout is unknown (UnreadableMemory may
    escape from a damaged map)."""
    try:
        layout = map_layout(map_type)
    except MapLayoutError:
        return None
    slots = layout.bucket if isinstance(layout, ClassicMap) else layout.group
    found = MapContents(key_indirect=slots.key_indirect, value_indirect=slots.value_indirect)
    if isinstance(layout, ClassicMap):
        _classic(memory, header, layout, map_type.name, found)
    else:
        _swiss(memory, header, layout, map_type.name, found)
    return found


def _classic(memory: Memory, header: int, layout: ClassicMap, name: str, found: MapContents) -> None:
    log2 = memory.read(header + layout.log2_buckets, 1)[0]
    bucket = layout.bucket
    for offset, count in ((layout.buckets, 1 << log2), (layout.oldbuckets, 1 << max(log2 - 1, 0))):
        array = memory.u64(header + offset)
        if not array:
            continue
        found.internals.append((array, f"buckets of {name}"))
        for i in range(min(count, MAX_SLOTS // SLOTS)):
            chain = array + i * bucket.size
            for _ in range(MAX_OVERFLOW):
                _live_slots(memory, chain, bucket, found, lambda byte: byte >= MIN_TOP_HASH)
                assert bucket.overflow is not None
                chain = memory.u64(chain + bucket.overflow)
                if not chain or len(found.keys) >= MAX_SLOTS:
                    break
                found.internals.append((chain, f"overflow bucket of {name}"))


def _swiss(memory: Memory, header: int, layout: SwissMap, name: str, found: MapContents) -> None:
    directory = memory.u64(header + layout.dir_ptr)
    length = memory.u64(header + layout.dir_len)
    if not directory:
        return
    if length == 0:  # a small map: one group, no table
        found.internals.append((directory, f"group of {name}"))
        _live_slots(memory, directory, layout.group, found, lambda byte: not byte & CTRL_EMPTY_BIT)
        return
    found.internals.append((directory, f"directory of {name}"))
    tables = dict.fromkeys(memory.u64(directory + WORD * i) for i in range(min(length, MAX_TABLES)))
    for table in tables:
        if not table:
            continue
        found.internals.append((table, f"table of {name}"))
        groups = memory.u64(table + layout.table_groups)
        count = memory.u64(table + layout.table_mask) + 1
        if not groups:
            continue
        found.internals.append((groups, f"groups of {name}"))
        for g in range(min(count, MAX_SLOTS // SLOTS)):
            _live_slots(memory, groups + g * layout.group.size, layout.group, found, lambda b: not b & CTRL_EMPTY_BIT)


def _live_slots(memory: Memory, base: int, slots: SlotLayout, found: MapContents, live: Callable[[int], bool]) -> None:
    ctrl = memory.read(base + slots.ctrl, SLOTS)
    for i in range(SLOTS):
        if live(ctrl[i]):
            found.keys.append(slots.key_at(base, i))
            found.values.append(slots.value_at(base, i))
