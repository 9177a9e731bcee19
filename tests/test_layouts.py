"""The built-in layout tables (program/layout_tables.py) against the DWARF of a real binary of each release.

Stripped binaries have no DWARF, so godap reads the runtime with these tables; every entry is
compared here with what godap's own DWARF reader finds in `zoo` built by that release.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import BuildProgram
from support.toolchains import Release

from dap_server.goruntime.goroutines import _G_FIELDS
from dap_server.goruntime.heap.layout import SPAN_FIELDS
from dap_server.goruntime.layouts import RuntimeLayouts
from dap_server.goruntime.threads import _M_FIELDS
from dap_server.program.layout_tables import DIRECT_IFACE, FALLBACK, NESTED, SIZES
from dap_server.program.program import Program

RELEASES = range(21, 28)  # Go 1.21 … 1.27
# Go 1.24 and 1.25 name the (Swiss) map descriptor SwissMapType; the tables use the later name.
_DWARF_NAMES = {(minor, "internal/abi.MapType"): "internal/abi.SwissMapType" for minor in (24, 25)}
# Fields godap reads besides runtime.g's and runtime.m's (crash.py, describe.py, labels.py, program.py, rtypes.py).
_READ_ELSEWHERE = [("runtime._panic", path) for path in ("arg", "link", "recovered", "goexit", "repanicked")] + [
    ("runtime.moduledata", "text"),
    ("runtime.moduledata", "gofunc"),
    ("runtime.moduledata", "types"),
    ("runtime.schedt", "lastpoll"),
    ("runtime.sigTabT", "name"),
    ("runtime.hmap", "count"),
    ("runtime.hmap", "B"),
    ("runtime.hmap", "buckets"),
    ("runtime.hmap", "oldbuckets"),
]
# goruntime/blocking/: sudogs, the semaphore table, channels and the sync primitives' words.
_READ_BY_BLOCKING = (
    [("runtime.sudog", path) for path in ("g", "next", "prev", "elem", "waitlink", "c")]
    + [("runtime.hchan", path) for path in ("qcount", "dataqsiz", "closed", "elemtype", "timer")]
    + [("runtime.hchan", "recvq.first"), ("runtime.hchan", "sendq.first"), ("runtime.semaRoot", "treap")]
    + [("sync.Mutex", path) for path in ("state", "sema", "mu")]
    + [("internal/sync.Mutex", path) for path in ("state", "sema")]
    + [("sync.RWMutex", path) for path in ("w", "writerSem", "readerSem", "readerCount", "readerWait")]
    + [("sync.WaitGroup", "state"), ("sync.WaitGroup", "sema")]
    + [("sync.Cond", "notify")]
    + [("runtime.notifyList", path) for path in ("wait", "notify", "head")]
    + [("runtime.pollDesc", path) for path in ("fd", "rg", "wg", "self")]
)

# The heap walk's (goruntime/heap/layout.py).
_READ_ELSEWHERE += [("runtime.mspan", path) for path in (*SPAN_FIELDS, "largeType", "specials")] + [
    ("runtime.mheap", "allspans"),
    ("runtime.mheap", "arenas"),
    ("runtime.heapArena", "bitmap"),
    ("runtime.heapArena", "pageUseSpanInlineMarkBits"),
    *(("internal/abi.Type", path) for path in ("Size_", "PtrBytes", "TFlag", "Kind_", "GCData")),
    *(("runtime.moduledata", path) for path in ("data", "edata", "bss", "ebss", "gcdatamask", "gcbssmask")),
    *(("runtime.special", path) for path in ("next", "offset", "kind")),
    ("runtime.specialfinalizer", "fn"),
]
READ_BY_GODAP = (
    [("runtime.g", path) for _, path, _, _ in _G_FIELDS]
    + [("runtime.m", path) for _, path, _ in _M_FIELDS]
    + _READ_ELSEWHERE
    + _READ_BY_BLOCKING
)


@pytest.fixture(scope="module")
def program(go_release: Release, build_program: BuildProgram) -> Iterator[Program]:
    binary = build_program("zoo", go_release, "opt")
    program = Program(str(binary.exe))
    assert program.dwarf.present, f"{binary.exe} has no DWARF to check the tables against"
    assert program.go_minor in FALLBACK, f"no built-in tables for {go_release.version}"
    yield program
    program.close()


def _table_paths(minor: int) -> Iterator[tuple[str, str]]:
    """Every (struct, field) of the release's table, with the nested paths ("sched.sp") godap builds from them."""
    tables = FALLBACK[minor]
    for struct, fields in tables.items():
        for field in fields:
            yield struct, field
            nested = NESTED.get((struct, field))
            for inner in tables.get(nested, {}) if nested else ():
                yield struct, f"{field}.{inner}"


def test_every_release_has_tables() -> None:
    for tables in (FALLBACK, SIZES, DIRECT_IFACE):
        assert sorted(tables) == list(RELEASES)
    for (struct, _), nested in NESTED.items():
        assert all(struct in FALLBACK[minor] and nested in FALLBACK[minor] for minor in RELEASES)


def test_offsets_match_dwarf(program: Program) -> None:
    minor = program.go_minor
    assert minor is not None
    layouts = RuntimeLayouts(program)
    wrong = []
    for struct, path in _table_paths(minor):
        table, dwarf = layouts.table_offset(struct, path), layouts.dwarf_offset(struct, path)
        if table != dwarf:
            wrong.append(f"{struct}.{path}: table {table}, DWARF {dwarf}")
    assert not wrong, f"go1.{minor} tables disagree with DWARF:\n" + "\n".join(wrong)


def test_sizes_match_dwarf(program: Program) -> None:
    minor = program.go_minor
    assert minor is not None
    wrong = []
    for struct, size in SIZES[minor].items():
        layout = program.dwarf.struct(_DWARF_NAMES.get((minor, struct), struct))
        if layout is None or layout.size != size:
            wrong.append(f"{struct}: table {size}, DWARF {layout.size if layout else 'absent'}")
    assert not wrong, f"go1.{minor} sizes disagree with DWARF:\n" + "\n".join(wrong)


def test_direct_interface_bit_matches_dwarf(program: Program) -> None:
    minor = program.go_minor
    assert minor is not None
    where, bit = DIRECT_IFACE[minor]
    tflag = program.dwarf.constant("internal/abi.TFlagDirectIface")
    if where == "tflag":
        assert tflag == bit
    else:
        assert tflag is None
        assert program.dwarf.constant("internal/abi.KindDirectIface") == bit


def test_tables_have_every_field_godap_reads(program: Program) -> None:
    """A field the release's DWARF has and godap reads must be in the table, or stripped binaries lose it."""
    minor = program.go_minor
    assert minor is not None
    layouts = RuntimeLayouts(program)
    missing = [
        f"{struct}.{path} (DWARF: {offset})"
        for struct, path in READ_BY_GODAP
        if (offset := layouts.dwarf_offset(struct, path)) is not None and layouts.table_offset(struct, path) is None
    ]
    assert not missing, f"go1.{minor} tables lack:\n" + "\n".join(missing)


def _pyelftools_struct(die: Any) -> tuple[str, int, dict[str, tuple[int, int | None, bool]]]:
    """A struct DIE's name, size and members as pyelftools decodes them (typedefs followed)."""
    while die.tag == "DW_TAG_typedef":
        die = die.get_DIE_from_attribute("DW_AT_type")
    assert die.tag == "DW_TAG_structure_type"
    members = {}
    for child in die.iter_children():
        if child.tag != "DW_TAG_member":
            continue
        location = child.attributes.get("DW_AT_data_member_location")
        target = child.get_DIE_from_attribute("DW_AT_type").offset if "DW_AT_type" in child.attributes else None
        embedded = child.attributes.get(0x2903)
        members[child.attributes["DW_AT_name"].value.decode()] = (
            location.value if location is not None and isinstance(location.value, int) else 0,
            target,
            bool(embedded and embedded.value),
        )
    return die.attributes["DW_AT_name"].value.decode(), die.attributes["DW_AT_byte_size"].value, members


def test_struct_reader_agrees_with_pyelftools(program: Program) -> None:
    """Launch reads the runtime's layouts with godap's own DIE reader (raw_reader.py), not pyelftools:
    every struct godap reads, and the structs of their fields, decode the same through both."""
    names = {struct for struct, _ in READ_BY_GODAP}
    checked = 0
    for name in sorted(names):
        layout = program.dwarf.struct(name)
        found = program.dwarf.find_one(name, ("DW_TAG_structure_type", "DW_TAG_typedef"))
        assert (layout is None) == (found is None), name
        if layout is None:
            continue
        theirs = program.dwarf.pyelftools  # the DIEs as pyelftools parses them, not godap's own
        for current, die in [(layout, theirs.get_DIE_from_refaddr(found.offset))] + [
            (inner, theirs.get_DIE_from_refaddr(member.type_offset))
            for member in layout.members.values()
            if member.type_offset is not None and (inner := program.dwarf.member_type_struct(member)) is not None
        ]:
            mine = (
                current.name,
                current.size,
                {m.name: (m.offset, m.type_offset, m.embedded) for m in current.members.values()},
            )
            assert mine == _pyelftools_struct(die), f"{name}: {current.name}"
            checked += 1
    assert checked > 100


_CONSTANTS = (
    "runtime.fingRunningFinalizer",
    "internal/abi.TFlagDirectIface",
    "internal/abi.KindDirectIface",
    "internal/abi.TFlagGCMaskOnDemand",
    "runtime._KindSpecialFinalizer",
    "runtime._Grunning",
    "runtime._Gwaiting",
    "runtime._Gscan",
    "runtime.waitReasonChanReceive",
    "runtime.no_such_constant",
)


def test_constants_agree_with_pyelftools(program: Program) -> None:
    """Runtime constants, read at launch by the same DIE reader, are the values pyelftools decodes."""
    found = 0
    for name in _CONSTANTS:
        die = program.dwarf.find_one(name, ("DW_TAG_constant",))
        expected = die.attributes["DW_AT_const_value"].value if die is not None else None
        assert program.dwarf.constant(name) == expected, name
        found += expected is not None
    assert found >= 6
