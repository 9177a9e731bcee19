"""Package globals of every kind (tests/fixtures/programs/values/globals.go), for every release and
build mode: globals live at fixed addresses, so every one of them must read exactly right.
"""

from __future__ import annotations

import datetime
import re

import pytest
from conftest import MakeCore
from support.build import BuildOptions, Mode
from support.toolchains import release_named
from test_values_support import ValuesCore, open_values_core, values_core, walk

from dap_server.goruntime import variables
from dap_server.goruntime.values.base import Value
from dap_server.goruntime.values.context import PAGE_LIMIT
from dap_server.program.dwarf.maplayout import SwissMap, map_layout

__all__ = ["values_core"]

SUMMARIES = {
    "gBool": "true",
    "gInt": "-42",
    "gInt8": "-8",
    "gInt16": "-1600",
    "gInt32": "-320000",
    "gUint8": "200",
    "gUint16": "60000",
    "gUint32": "4000000000",
    "gUint64": "9223372036854775813",
    "gUintptr": "0xdeadbeef",
    "gFloat32": "1.5",
    "gFloat64": "3.25",
    "gComplex64": "(0.5+0.25i)",
    "gComplex": "(1.5-2i)",
    "gRune": "233",
    "gString": '"hello, 世界\\n\\"quoted\\""',
    "gEmptyString": '""',
    "gBytes": '[]uint8 len: 7, cap: 7, "bytes\\x00\\xff"',
    "gArray": "[4]int [1, 2, 3, 4]",
    "gMatrix": "[2][2]int [[1, 2], [3, 4]]",
    "gSlice": '[]string len: 2, cap: 2, ["a", "b"]',
    "gNilSlice": "[]int len: 0, cap: 0, nil",
    "gSubSlice": "[]int len: 3, cap: 8, [2, 3, 4]",
    "gMap": None,  # iteration order is the map's own: checked entry by entry below
    "gNilMap": "map[string]int nil",
    "gEmptyMap": "map[string]int len: 0, []",
    "gBufChan": "chan int 4/4",
    "gClosedChan": "chan string 1/2 closed",
    "gWaitChan": "chan string 0/0, 2 senders waiting",
    "gRecvChan": "chan int 0/0, 1 receiver waiting",
    "gNilChan": "chan int nil",
    "gNilPtr": "*main.Point nil",
    "gPtr": "*main.Point {X: 1, Y: 2}",
    "gPtrPtr": "**main.Point *{X: 1, Y: 2}",
    "gDerived": (
        'main.Derived {Base: {ID: 7, Name: "seven"}, Point: *{X: 8, Y: 9}, Tags: len: 1, cap: 1, ["x"], Score: 0.5}'
    ),
    "gShape": "main.Shape(main.Rect) {W: 3, H: 4}",
    "gShapePtr": "main.Shape(*main.Circle) {R: 2}",
    "gNilShape": "main.Shape nil",
    "gAnyInt": "interface {}(int) 42",
    "gAnyString": 'interface {}(string) "str"',
    "gAnyPoint": "interface {}(main.Point) {X: 5, Y: 6}",
    "gAnyNil": "interface {} nil",
    "gErr": 'error(*errors.errorString) "boom"',
    "gWrapped": 'error(*fmt.wrapError) "context: boom"',
    "gJoined": 'error(*errors.joinError) "first\\nsecond"',
    "gMyErr": "error(*main.MyErr) {Code: 7}",
    "gPathErr": 'error(*io/fs.PathError) "open /nonexistent/godap: no such file or directory"',
    "gTime": "time.Time 2024-01-02T03:04:05.000000006Z",
    "gZoneTime": "time.Time 2024-06-01T12:00:00+01:00 CET",
    "gZeroTime": "time.Time 0001-01-01T00:00:00Z",
    "gDuration": "time.Duration 1m30s",
    "gSmallDur": "time.Duration 1.5ms",
    "gNilFunc": "func() nil",
    "gLocked": "sync.Mutex locked, 1 waiter",
    "gUnlocked": "sync.Mutex unlocked",
    "gColor": "3",
    "gPair": 'main.Pair[string,int] {Key: "k", Val: 7}',
    "gVersion": (
        'main.Version {Version: "1.5.1-45", APILevel: 13, GitRefs: len: 2, cap: 2, ["heads/master", "tags/1.5.1"]}'
    ),
    "gAnonStruct": 'struct { A int; B string } {A: 1, B: "anon"}',
}


def _entries(value: Value) -> dict[str, str]:
    """A map's entries as {key summary: value summary}, all pages."""
    out: dict[str, str] = {}
    start = 0
    while start < value.child_count_indexed:
        page = value.indexed_children(start, 500)
        assert page, f"empty page at {start} of {value.child_count_indexed}"
        for child in page:
            assert child.name not in out, f"duplicate key {child.name}"
            out[child.name] = child.summary
        start += len(page)
    return out


def test_every_kind_of_global_reads_like_go_prints_it(values_core: ValuesCore) -> None:
    found = values_core.globals()
    for name, summary in SUMMARIES.items():
        assert name in found, f"{name} missing from {sorted(found)}"
        if summary is not None:
            assert found[name].summary == summary, name
        assert found[name].evaluate_name == f"main.{name}"
        assert found[name].address is not None


def test_globals_are_named_without_their_package_and_sorted(values_core: ValuesCore) -> None:
    names = [v.name for v in variables.package_globals(values_core.process, "main")]
    assert names == sorted(names)
    assert "gBool" in names and "goroutines" in names
    assert not any("." in name or name.startswith("&") for name in names)


def test_strings_are_cut_in_summaries_but_whole_in_full_string(values_core: ValuesCore) -> None:
    found = values_core.globals()
    long = found["gLongString"]
    assert re.fullmatch(r'"(0123456789)+[0-9]*"\.\.\.\+\d+ more', long.summary)
    assert long.full_string() == "0123456789" * 200
    assert found["gBytes"].full_string() == "bytes\x00\ufffd"
    assert found["gInt"].full_string() is None


def test_slices_page_their_elements(values_core: ValuesCore) -> None:
    long = values_core.globals()["gLongSlice"]
    assert long.child_count_indexed == 1000 and long.child_count_named == 0
    page = long.indexed_children(990, 20)
    assert [c.name for c in page] == [f"[{i}]" for i in range(990, 1000)]
    assert page[-1].summary == "999" and page[-1].evaluate_name == "main.gLongSlice[999]"
    assert len(long.children()) == 1000 <= PAGE_LIMIT
    assert long.summary.endswith("...+936 more]")


def test_small_map_entries_are_named_by_their_keys(values_core: ValuesCore) -> None:
    m = values_core.globals()["gMap"]
    assert m.summary.startswith("map[string]int len: 3, [")
    assert _entries(m) == {'"one"': "1", '"two"': "2", '"three"': "3"}
    assert {c.evaluate_name for c in m.children()} == {'main.gMap["one"]', 'main.gMap["two"]', 'main.gMap["three"]'}


def test_map_in_the_middle_of_growing_has_every_entry(values_core: ValuesCore) -> None:
    m = values_core.globals()["gGrowingMap"]
    assert m.child_count_indexed == 53
    assert _entries(m) == {str(i): str(i * i) for i in range(53)}


def test_big_map_pages_through_all_tables(values_core: ValuesCore) -> None:
    m = values_core.globals()["gBigMap"]
    assert m.child_count_indexed == 2000
    assert _entries(m) == {str(i): f'"v{i}"' for i in range(2000)}


def test_swiss_directories_visit_each_table_once(values_core: ValuesCore) -> None:
    split_maps = values_core.globals()["gSplitMaps"].indexed_children()
    repeated = 0
    for index, m in enumerate(split_maps):
        assert _entries(m) == {str(i): str(i + index) for i in range(1800)}
        layout = map_layout(m.gotype)
        if isinstance(layout, SwissMap):
            header = m.memory_reference
            assert header is not None
            dir_len = m.ctx.word(header + layout.dir_len)
            tables = [m.ctx.word(m.ctx.word(header + layout.dir_ptr) + 8 * i) for i in range(dir_len)]
            repeated += len(set(tables)) < len(tables)
    # Whether a directory repeats a table depends on the hashes. In the arm64 cores made under
    # qemu-user every one of these maps had 4 distinct tables (go1.26.8, both modes; the cause was
    # not found), so the dedupe path is only required on amd64; the entries are checked on both.
    if values_core.release.at_least(1, 24) and not values_core.arm64:
        assert repeated, "no directory repeats a table: the dedupe path went untested"


def test_struct_keys_and_indirect_values(values_core: ValuesCore) -> None:
    found = values_core.globals()
    pairs = {}
    for entry in found["gStructKeyMap"].children():
        key, value = entry.children()
        assert (key.name, value.name) == ("key", "value")
        pairs[key.summary] = value.summary
    assert pairs == {"main.Point {X: 1, Y: 2}": '"a"', "main.Point {X: 3, Y: 4}": '"b"'}
    (big,) = found["gBigValueMap"].children()
    assert big.name == '"big"'
    assert {c.name: c.summary for c in big.children()}["S"] == '"large"'
    (xs,) = found["gSliceMap"].children()
    assert (xs.name, xs.summary) == ('"xs"', "[]int len: 2, cap: 2, [1, 2]")


def test_channels_show_buffer_in_receive_order_and_blocked_goroutines(values_core: ValuesCore) -> None:
    found = values_core.globals()
    assert [c.summary for c in found["gBufChan"].indexed_children()] == ["20", "30", "40", "50"]
    assert [c.summary for c in found["gClosedChan"].indexed_children()] == ['"last"']
    senders = values_core.goroutines_of("waitSend")
    (waiting,) = found["gWaitChan"].named_children()
    assert waiting.name == "senders waiting"
    assert set(waiting.summary.split(", ")) == {f"goroutine {g.goid}" for g in senders}
    sent = {c.name: c.summary for c in waiting.children()}
    assert sorted(sent.values()) == ['"first"', '"second"']
    for index, g in enumerate(senders):  # each sender's own argument says what it sends
        argument = values_core.arguments("waitSend", index=index)["s"].summary
        assert argument in (sent[f"goroutine {g.goid}"], "<optimized away>")
    (receiver,) = values_core.goroutines_of("waitRecv")
    (receivers,) = found["gRecvChan"].named_children()
    assert (receivers.name, receivers.summary) == ("receivers waiting", f"goroutine {receiver.goid}")


def test_pointers_funcs_and_closures(values_core: ValuesCore) -> None:
    found = values_core.globals()
    assert found["gUnsafe"].summary == f"unsafe.Pointer({found['gPtr'].memory_reference:#x})"
    assert re.fullmatch(r"main\.handler \(globals\.go:\d+\)", found["gFunc"].summary)
    assert re.fullmatch(r"main\.initGlobals\.func1 \(globals\.go:\d+\)", found["gClosure"].summary)
    captured = {c.name: c.summary for c in found["gClosure"].children()}
    assert captured == ({"base": "1000"} if values_core.release.at_least(1, 23) else {})
    (pointee,) = found["gPtrPtr"].children()
    assert (pointee.name, pointee.evaluate_name) == ("*gPtrPtr", "(*main.gPtrPtr)")


def test_cyclic_list_expands_forever_without_recursion(values_core: ValuesCore) -> None:
    node = values_core.globals()["gCycle"]
    address = node.memory_reference
    assert node.summary == f"*main.Node {{Value: 100, Next: (*main.Node)({address:#x})}}"
    for _ in range(200):
        node = {c.name: c for c in node.children()}["Next"]
    assert node.memory_reference == address
    assert sum(1 for _ in walk(values_core.globals()["gCycle"], depth=12, width=4)) < 100


def test_pointer_to_itself_has_a_finite_summary(values_core: ValuesCore) -> None:
    value = values_core.globals()["gSelf"]
    assert value.address is not None
    assert value.summary == f"main.Self *(main.Self)({value.address:#x})"
    for _ in range(100):
        (value,) = value.children()
    assert value.memory_reference == values_core.globals()["gSelf"].address


def test_local_time_without_loaded_zone_shows_the_utc_instant(values_core: ValuesCore) -> None:
    match = re.search(r"^NOW (\d+) (\d+)$", values_core.core.stdout, re.MULTILINE)
    assert match is not None
    moment = datetime.datetime.fromtimestamp(int(match[1]), datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    nanos = f"{int(match[2]):09d}".rstrip("0")
    summary = values_core.globals()["gNow"].summary
    assert summary.startswith(f"time.Time {moment}{'.' + nanos if nanos else ''}Z Local m=+"), summary


@pytest.mark.parametrize("package", ["runtime", "net/http", "no/such/package"])
def test_other_packages_globals_are_found_lazily(values_core: ValuesCore, package: str) -> None:
    found = {v.name: v for v in variables.package_globals(values_core.process, package)}
    if package == "runtime":
        assert {"allgs", "allglen", "buildVersion"} <= set(found)
        assert found["buildVersion"].summary == f'"{values_core.release.version}"'
    else:
        assert found == {}


@pytest.mark.parametrize(
    ("release", "experiment", "implementation"),
    [("1.24", "noswissmap", "hash<"), ("1.25", "noswissmap", "hash<"), ("1.27", "mapsplitgroup", "map<")],
)
def test_map_layouts_are_told_apart_by_their_fields(
    make_core: MakeCore, release: str, experiment: str, implementation: str
) -> None:
    vc = open_values_core(make_core, release_named(release), Mode.NOOPT, options=BuildOptions(goexperiment=experiment))
    found = vc.globals()
    header = found["gMap"].gotype.internal
    assert header is not None and header.name.startswith(implementation)
    if experiment == "mapsplitgroup":  # groups are keys[8] then elems[8] instead of 8 slots
        layout = map_layout(found["gMap"].gotype)
        assert isinstance(layout, SwissMap)
        assert layout.group.key_stride == 16 and layout.group.value_stride == 8  # string keys, int values
    assert _entries(found["gGrowingMap"]) == {str(i): str(i * i) for i in range(53)}
    assert _entries(found["gBigMap"]) == {str(i): f'"v{i}"' for i in range(2000)}
    (big,) = found["gBigValueMap"].children()
    assert {c.name: c.summary for c in big.children()}["S"] == '"large"'
