"""Where a map's entries live, read from the structs the linker synthesizes for each map type.

Two implementations exist and are told apart by their fields, never by Go version (1.24 and 1.25
can be built either way):
* classic `hash<K,V>` (`count`, `B`, `buckets`, `oldbuckets`) with `bucket<K,V>` = tophash[8],
  keys[8], values[8], overflow;
* Swiss `map<K,V>` (`used`, `dirPtr`, `dirLen`) → `table<K,V>` → `groupReference<K,V>` → group
  = ctrl word + 8 slots, interleaved (`slots [8]struct{key; elem}`) or, with 1.27's
  mapsplitgroup experiment, split (`keys [8]K`, `elems [8]V`).
Keys and values larger than 128 bytes are stored behind pointers ("indirect").
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import GoType, Kind

SLOTS = 8


class MapLayoutError(Exception):
    """The map's runtime structs do not look like either implementation."""


@dataclass(frozen=True, slots=True)
class SlotLayout:
    """Eight key/value slots in a classic bucket or a Swiss group."""

    size: int
    ctrl: int
    keys: int
    key_stride: int
    values: int
    value_stride: int
    key_indirect: bool
    value_indirect: bool
    overflow: int | None = None  # classic buckets only

    def key_at(self, base: int, slot: int) -> int:
        return base + self.keys + slot * self.key_stride

    def value_at(self, base: int, slot: int) -> int:
        return base + self.values + slot * self.value_stride


@dataclass(frozen=True, slots=True)
class ClassicMap:
    count: int
    flags: int
    log2_buckets: int
    buckets: int
    oldbuckets: int
    bucket: SlotLayout


@dataclass(frozen=True, slots=True)
class SwissMap:
    used: int
    dir_ptr: int
    dir_len: int
    table_groups: int  # offset of groups.data in table<K,V>
    table_mask: int  # offset of groups.lengthMask
    group: SlotLayout


MapLayout = ClassicMap | SwissMap


def map_layout(map_type: GoType) -> MapLayout:
    header = map_type.internal
    key, value = map_type.key, map_type.elem
    if header is None or key is None or value is None:
        raise MapLayoutError(f"{map_type.name} has no runtime header type in DWARF")
    if header.field("buckets") is not None:
        return _classic(header, key, value)
    if header.field("dirPtr") is not None:
        return _swiss(header, key, value)
    raise MapLayoutError(f"{header.name} is neither a classic hash map nor a Swiss table")


def _offset(struct: GoType, name: str) -> int:
    found = struct.field(name)
    if found is None:
        raise MapLayoutError(f"{struct.name} has no field {name}")
    return found.offset


def _target(struct: GoType, name: str) -> GoType:
    found = struct.field(name)
    target = found.type.elem if found is not None else None
    if target is None:
        raise MapLayoutError(f"{struct.name}.{name} is not a pointer to a known type")
    return target


def _indirect(stored: GoType | None, declared: GoType) -> bool:
    return stored is not None and stored.kind == Kind.POINTER and stored.name != declared.name


def _classic(header: GoType, key: GoType, value: GoType) -> ClassicMap:
    bucket = _target(header, "buckets")
    keys, values = bucket.field("keys"), bucket.field("values")
    if keys is None or values is None:
        raise MapLayoutError(f"{bucket.name} has no keys/values arrays")
    slots = SlotLayout(
        size=bucket.size,
        ctrl=_offset(bucket, "tophash"),
        keys=keys.offset,
        key_stride=keys.type.size // SLOTS,
        values=values.offset,
        value_stride=values.type.size // SLOTS,
        key_indirect=_indirect(keys.type.elem, key),
        value_indirect=_indirect(values.type.elem, value),
        overflow=_offset(bucket, "overflow"),
    )
    return ClassicMap(
        count=_offset(header, "count"),
        flags=_offset(header, "flags"),
        log2_buckets=_offset(header, "B"),
        buckets=_offset(header, "buckets"),
        oldbuckets=_offset(header, "oldbuckets"),
        bucket=slots,
    )


def _swiss(header: GoType, key: GoType, value: GoType) -> SwissMap:
    dir_entry = _target(header, "dirPtr")  # *table<K,V>
    table = dir_entry.elem
    if table is None:
        raise MapLayoutError(f"{header.name}.dirPtr does not point to table pointers")
    groups = table.field("groups")
    if groups is None:
        raise MapLayoutError(f"{table.name} has no groups field")
    group = _target(groups.type, "data")
    return SwissMap(
        used=_offset(header, "used"),
        dir_ptr=_offset(header, "dirPtr"),
        dir_len=_offset(header, "dirLen"),
        table_groups=groups.offset + _offset(groups.type, "data"),
        table_mask=groups.offset + _offset(groups.type, "lengthMask"),
        group=_group_slots(group, key, value),
    )


def _group_slots(group: GoType, key: GoType, value: GoType) -> SlotLayout:
    ctrl = _offset(group, "ctrl")
    slots = group.field("slots")
    if slots is not None:
        slot = slots.type.elem
        slot_key = slot.field("key") if slot is not None else None
        slot_value = slot.field("elem") if slot is not None else None
        if slot is None or slot_key is None or slot_value is None:
            raise MapLayoutError(f"{group.name} has slots without key/elem")
        return SlotLayout(
            size=group.size,
            ctrl=ctrl,
            keys=slots.offset + slot_key.offset,
            key_stride=slot.size,
            values=slots.offset + slot_value.offset,
            value_stride=slot.size,
            key_indirect=_indirect(slot_key.type, key),
            value_indirect=_indirect(slot_value.type, value),
        )
    keys, values = group.field("keys"), group.field("elems")
    if keys is None or values is None:
        raise MapLayoutError(f"{group.name} has neither slots nor keys/elems")
    return SlotLayout(
        size=group.size,
        ctrl=ctrl,
        keys=keys.offset,
        key_stride=keys.type.size // SLOTS,
        values=values.offset,
        value_stride=values.type.size // SLOTS,
        key_indirect=_indirect(keys.type.elem, key),
        value_indirect=_indirect(values.type.elem, value),
    )
