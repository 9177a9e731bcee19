"""Hostile memory: a copy of a real core is corrupted where our own decoders say a value lives, and
the values must say `unreadable: <reason>` (or show a bounded page) without raising, hanging or
allocating without bound.
"""

from __future__ import annotations

import mmap
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import MakeCore
from support.build import Mode
from support.toolchains import Release
from test_values_support import ValuesCore, copy_core, open_values_core, walk

from dap_server.binfmt.elf import PT_LOAD, parse_header, program_headers
from dap_server.goruntime import variables
from dap_server.goruntime.values.base import Value
from dap_server.session import Session, SessionOptions

HUGE = 1 << 40
WILD = 0xDEAD0000
TIME_LIMIT = 2.0

Patch = tuple[int, bytes]  # (address, new bytes)
Check = Callable[[str, Callable[[Value], list[Patch]]], Value]


def _file_offset(core: mmap.mmap, address: int) -> int:
    header = parse_header(core, "core")
    for segment in program_headers(core, header, "core"):
        if segment.type == PT_LOAD and segment.vaddr <= address < segment.vaddr + segment.filesz:
            return segment.offset + address - segment.vaddr
    raise AssertionError(f"{address:#x} is not dumped in the core")


def _corrupted_session(vc: ValuesCore, tmp_path: Path, patches: list[Patch]) -> Session:
    """A session on a copy of the core with `patches` applied."""
    copy = copy_core(vc.core.core, tmp_path / "core")
    with copy.open("r+b") as f, mmap.mmap(f.fileno(), 0) as data:
        for address, raw in patches:
            offset = _file_offset(data, address)
            data[offset : offset + len(raw)] = raw
    return Session.open(SessionOptions(program=str(vc.core.exe), core=str(copy)))


def _q(value: int) -> bytes:
    return struct.pack("<Q", value)


def _exercise(value: Value) -> float:
    """Everything a client may ask of a value; returns the seconds it took."""
    start = time.perf_counter()
    _ = value.summary, value.unreadable, value.memory_reference, value.full_string()
    _ = value.child_count_indexed, value.child_count_named
    for node in walk(value, depth=4, width=8):
        _ = node.summary
    value.indexed_children(HUGE - 5, 10)
    return time.perf_counter() - start


@pytest.fixture
def check(make_core: MakeCore, go_release: Release, tmp_path: Path) -> Iterator[Check]:
    """`check(name, patches)`: the global `name` of a corrupted copy of the core, exercised."""
    vc = open_values_core(make_core, go_release, Mode.NOOPT)
    sessions: list[Session] = []

    def run(name: str, patches: Callable[[Value], list[Patch]]) -> Value:
        session = _corrupted_session(vc, tmp_path, patches(vc.globals()[name]))
        sessions.append(session)
        value = next(v for v in variables.package_globals(session.process, "main") if v.name == name)
        assert _exercise(value) < TIME_LIMIT
        return value

    yield run
    for session in sessions:
        session.close()


def test_slice_with_absurd_length(check: Check) -> None:
    value = check("gCorruptSlice", lambda v: [(v.address + 8, _q(HUGE) + _q(HUGE))])
    assert value.summary.startswith("unreadable: corrupt slice: len 1099511627776")
    assert value.child_count_indexed == 0 and value.children() == []


def test_slice_longer_than_its_capacity(check: Check) -> None:
    value = check("gCorruptSlice", lambda v: [(v.address + 8, _q(HUGE))])
    assert value.summary == "unreadable: corrupt slice: len 1099511627776, cap 3"


def test_string_with_absurd_length(check: Check) -> None:
    value = check("gCorruptString", lambda v: [(v.address + 8, _q(HUGE))])
    assert value.summary.startswith("unreadable: corrupt string")
    full = value.full_string()
    assert full is not None and full.startswith("unreadable: corrupt string")


def test_wild_pointer(check: Check) -> None:
    value = check("gCorruptPtr", lambda v: [(v.address, _q(WILD))])
    assert value.summary.startswith(f"(*main.Point)({WILD:#x}) unreadable: cannot read")
    (pointee,) = value.children()
    assert pointee.summary.startswith("unreadable: ") and pointee.children() == []


def test_list_node_pointing_to_itself(check: Check) -> None:
    def patch(v: Value) -> list[Patch]:
        node = v.memory_reference
        assert node is not None
        return [(node + 8, _q(node))]

    value = check("gLoop", patch)
    for _ in range(300):
        fields = {c.name: c for c in value.children()}
        assert fields["Value"].summary == "1"
        value = fields["Next"]


def _map_header(v: Value) -> int:
    header = v.memory_reference
    assert header is not None
    return header


def _map_field(v: Value, name: str) -> int:
    internal = v.gotype.internal
    assert internal is not None
    f = internal.field(name)
    assert f is not None
    return _map_header(v) + f.offset


def _is_swiss(v: Value) -> bool:
    return v.gotype.internal is not None and v.gotype.internal.field("dirPtr") is not None


def test_map_claiming_too_many_entries(check: Check) -> None:
    def patch(v: Value) -> list[Patch]:
        return [(_map_field(v, "used" if _is_swiss(v) else "count"), _q(HUGE))]

    value = check("gCorruptMap", patch)
    assert value.summary == "unreadable: corrupt map: it claims 1099511627776 entries"


def test_map_with_absurd_table_count(check: Check) -> None:
    def patch(v: Value) -> list[Patch]:
        if _is_swiss(v):
            return [(_map_field(v, "dirLen"), _q(HUGE))]
        return [(_map_field(v, "B"), bytes([200]))]

    value = check("gCorruptMap", patch)
    assert value.summary.startswith("unreadable: corrupt map")


def test_map_whose_buckets_are_unmapped(check: Check) -> None:
    def patch(v: Value) -> list[Patch]:
        return [(_map_field(v, "dirPtr" if _is_swiss(v) else "buckets"), _q(WILD))]

    value = check("gCorruptMap", patch)
    assert value.summary.startswith("unreadable: cannot read")
    (error,) = value.children()
    assert error.summary.startswith("unreadable: cannot read")


def test_interface_with_a_wild_type_word(check: Check) -> None:
    value = check("gCorruptIface", lambda v: [(v.address, _q(WILD))])
    assert value.summary.startswith("unreadable: cannot read")
    assert value.children() == []


def test_channel_queue_longer_than_its_buffer(check: Check) -> None:
    value = check("gBufChan", lambda v: [(_map_header(v), _q(HUGE))])
    assert value.summary == "unreadable: corrupt channel: 1099511627776 queued elements in a buffer of 4"
    assert value.children() == []
