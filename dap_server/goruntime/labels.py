"""pprof labels of a goroutine (`g.labels`).

Go ≤ 1.23: a pointer to a `labelMap` (map[string]string), read as a classic hmap (its header's
offsets from the binary's layouts).
Go ≥ 1.24: a pointer to a struct whose first field is a `[]label{key, value string}` slice.
"""

from __future__ import annotations

import struct

from ..debuggee.api import Memory, UnreadableMemory
from .layouts import LayoutError, RuntimeLayouts
from .strings_table import read_go_string

MAX_LABELS = 64
_HMAP_FIELDS = ("count", "B", "buckets", "oldbuckets")
_STRING = 16
_BUCKET_SLOTS = 8
_BUCKET_SIZE = 8 + 2 * _BUCKET_SLOTS * _STRING + 8
_MIN_TOPHASH = 5


def read_labels(memory: Memory, labels: int, go_minor: int | None, layouts: RuntimeLayouts) -> list[tuple[str, str]]:
    """(key, value) pairs, sorted by key; empty when the goroutine has none or they cannot be read."""
    if not labels:
        return []
    try:
        pairs = _slice_labels(memory, labels) if (go_minor or 99) >= 24 else _map_labels(memory, labels, layouts)
    except UnreadableMemory:
        return []
    return sorted(pairs)


def _slice_labels(memory: Memory, addr: int) -> list[tuple[str, str]]:
    array, length, _ = struct.unpack("<QQQ", memory.read(addr, 24))
    return [
        (read_go_string(memory, array + 32 * i), read_go_string(memory, array + 32 * i + 16))
        for i in range(min(length, MAX_LABELS))
    ]


def _map_labels(memory: Memory, addr: int, layouts: RuntimeLayouts) -> list[tuple[str, str]]:
    try:
        count_at, b_at, buckets_at, oldbuckets_at = (layouts.require("runtime.hmap", name) for name in _HMAP_FIELDS)
    except LayoutError:
        return []
    hmap = memory.u64(addr)
    if not hmap:
        return []
    count, b_log = memory.u64(hmap + count_at), memory.read(hmap + b_at, 1)[0]
    buckets, oldbuckets = memory.u64(hmap + buckets_at), memory.u64(hmap + oldbuckets_at)
    pairs: list[tuple[str, str]] = []
    if count == 0 or b_log > 8:
        return pairs
    for base in (buckets, oldbuckets):
        for i in range((1 << b_log) if base == buckets else (1 << max(0, b_log - 1))):
            bucket = base + i * _BUCKET_SIZE if base else 0
            hops = 0
            while bucket and hops < 16 and len(pairs) < MAX_LABELS:
                raw = memory.read(bucket, _BUCKET_SIZE)
                for slot in range(_BUCKET_SLOTS):
                    if raw[slot] >= _MIN_TOPHASH:
                        key_at = bucket + 8 + slot * _STRING
                        value_at = bucket + 8 + _BUCKET_SLOTS * _STRING + slot * _STRING
                        pairs.append((read_go_string(memory, key_at), read_go_string(memory, value_at)))
                (bucket,) = struct.unpack_from("<Q", raw, _BUCKET_SIZE - 8)
                hops += 1
    return pairs[: int(count)]
