"""Heap analysis over the real protocol, on a fixture whose heap is known from its source.

`heapzoo N` (tests/fixtures/programs/heapzoo) retains N `main.Node` in a list from the global
`head`, N `main.Item` through the global slice `items`, 64 `main.Big` (1 KiB with a pointer: a
malloc header from 1.22), a 3-element cycle of `main.Ring` from `ring`, an 8 MiB []byte through the
map `blobs` and a 4 MiB []byte captured by a closure that the goroutine `main.hold` keeps. It prints
the addresses of some of them and what `runtime.MemStats` counts after `runtime.GC()`, then waits
for SIGABRT. The histogram must count the fixture's own types exactly, agree with MemStats within
what the runtime's accounting allows, and the paths, references and retained sizes must be those
the source builds.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import BuildProgram, MakeCore
from support.build import ARCHES, BuildOptions
from support.cores import Core, Trigger, truncated_copy
from support.live import running
from support.session import OpenCore, attach_process, open_core, run_godap
from support.toolchains import Release, release_named

from dap_server.report import schema

N = 10_000
NODE_BYTES, ITEM_BYTES, RING_BYTES = 32, 48, 16
BLOB_BYTES, CLOSURE_BYTES = 8 << 20, 4 << 20
ROW = re.compile(r"^\s*([\d,]+)\s+([\d,]+)\s+([\d.]+)%\s+(.+)$")
TOTALS = re.compile(r"allocated: ([\d,]+) objects")
CACHE_SUFFIX = ".godap-heap"


@dataclass
class Heap:
    core: Core
    path: Path  # the core as this module opens it: a link of its own, so its saved analysis is too
    session: OpenCore
    facts: dict[str, int]

    def run(self, line: str) -> dict[str, Any]:
        return self.session.client.request("evaluate", {"expression": line, "context": "repl"}, timeout=300)

    def text(self, line: str) -> str:
        response = self.run(line)
        assert response["success"], f"{line}: {response.get('message')}"
        return str(response["body"]["result"])

    def histogram(self) -> dict[str, tuple[int, int]]:
        return _histogram(self.session)


def _histogram(session: OpenCore) -> dict[str, tuple[int, int]]:
    """(count, bytes) by type, from the console's `heap` over the protocol."""
    response = session.client.request("evaluate", {"expression": "heap 100000", "context": "repl"}, timeout=300)
    assert response["success"], response.get("message")
    rows = {}
    for line in str(response["body"]["result"]).splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(4)] = (int(match.group(1).replace(",", "")), int(match.group(2).replace(",", "")))
    return rows


def _facts(stdout: str) -> dict[str, int]:
    return {
        words[1]: int(words[2], 0) for words in (line.split() for line in stdout.splitlines()) if words[:1] == ["FACT"]
    }


def _private(core: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A link to the (shared, cached) core in a folder of this test's own: the analysis is saved
    beside the link, so tests running at once in other workers neither see nor remove it."""
    link = tmp_path_factory.mktemp("heap") / core.name
    link.symlink_to(core)
    return link


def _core(make_core: MakeCore, release: Release, arch: str = "amd64") -> Core:
    return make_core("heapzoo", [str(N)], release, trigger=Trigger.SIGABRT, options=BuildOptions(arch=arch))


@pytest.fixture(scope="module", params=ARCHES)
def heap(
    make_core: MakeCore, go_release: Release, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Heap]:
    """On amd64 and on arm64 (qemu-user's cores): arena indices count from each architecture's
    runtime.arenaBaseOffset."""
    core = _core(make_core, go_release, request.param)
    path = _private(core.core, tmp_path_factory)
    with open_core(core.exe, path) as session:
        yield Heap(core, path, session, _facts(core.stdout))
        session.client.assert_no_violations()


def test_histogram_counts_the_fixture_types_exactly(heap: Heap, go_release: Release) -> None:
    rows = heap.histogram()
    assert rows["main.Node"] == (N, N * NODE_BYTES)
    assert rows["main.Item"] == (N, N * ITEM_BYTES)
    assert rows["main.Ring"] == (3, 3 * RING_BYTES)
    big_slot = 1152 if go_release.at_least(1, 22) else 1024  # 1016 B + an 8-byte header from 1.22
    assert rows["main.Big"] == (64, 64 * big_slot)
    assert rows[f"[{BLOB_BYTES}]uint8"] == (1, BLOB_BYTES)  # the map's value, typed through the map


def test_histogram_totals_agree_with_memstats(heap: Heap) -> None:
    """MemStats.HeapObjects counts every tiny (< 16 B, pointer-free) allocation while the heap holds
    them packed in 16-byte blocks, and the program allocates a few objects after reading it
    (printing, the SIGABRT): the slots godap finds allocated may differ from it by a few dozen.
    HeapAlloc counts the bytes of the same slots."""
    text = heap.text("heap 1")
    match = TOTALS.search(text)
    assert match, text
    allocated = int(match.group(1).replace(",", ""))
    assert abs(allocated - heap.facts["HeapObjects"]) <= max(64, heap.facts["HeapObjects"] // 200), text
    allocated_bytes = sum(bytes_ for _, bytes_ in heap.histogram().values())
    assert allocated_bytes <= heap.facts["HeapAlloc"] + (64 << 10)
    assert allocated_bytes >= heap.facts["HeapAlloc"] - (64 << 10) - 16 * 1024  # garbage is not in the histogram


def test_path_to_the_lists_last_node_walks_the_whole_list(heap: Heap) -> None:
    lines = heap.text(f"path {heap.facts['tail']:#x}").splitlines()
    assert lines[0] == "main.head"
    assert len(lines) == N + 1
    assert all(line.strip().endswith("main.Node (32 B)") for line in lines[1:])
    assert lines[-1].strip().startswith(f"{heap.facts['tail']:#x} ")


def test_the_list_head_retains_the_whole_list(heap: Heap) -> None:
    assert heap.text("retained main.head").endswith(f"({N * NODE_BYTES:,} bytes)")


def test_a_cycle_is_retained_by_its_one_global(heap: Heap) -> None:
    ring = heap.facts["ring"]
    assert heap.text("retained main.ring") == f"{ring:#x} main.Ring (16 B) retains 48 B (48 bytes)"
    refs = heap.text(f"refs {ring:#x}").splitlines()
    assert refs[0] == f"2 references to {ring:#x} main.Ring (16 B):"
    assert sorted(line.split()[-1] for line in refs[1:]) == ["+0x0", "main.ring"] or any(
        "main.Ring (16 B) +0x0" in line for line in refs[1:]
    ), refs


def test_the_big_blob_is_held_through_the_map(heap: Heap) -> None:
    blob = heap.facts["blob"]
    lines = heap.text(f"path {blob:#x}").splitlines()
    assert lines[0] == "main.blobs"
    assert lines[1].strip().endswith("map[string][]uint8 (48 B)")
    assert all(" of map[string][]uint8 (" in line for line in lines[2:-1]), lines  # its group or buckets
    assert lines[-1].strip() == f"{blob:#x} [{BLOB_BYTES}]uint8 ({BLOB_BYTES:,} B)"
    retained = int(heap.text("retained main.blobs").rsplit("(", 1)[1].split()[0].replace(",", ""))
    assert retained >= BLOB_BYTES


def test_the_closures_buffer_is_referenced_by_the_closure_a_goroutine_holds(heap: Heap) -> None:
    buffer = heap.facts["closurebuf"]
    refs = heap.text(f"refs {buffer:#x}").splitlines()
    assert refs[0].endswith(f"({CLOSURE_BYTES:,} B):")
    holders = [line.split()[0] for line in refs[1:] if line.strip().startswith("0x")]
    assert holders, refs  # the closure's context object
    held_by = [heap.text(f"refs {holder}") for holder in holders]
    assert any("frame main.hold" in text for text in held_by), held_by


def test_heap_top_shows_the_largest_objects_with_their_paths(heap: Heap) -> None:
    lines = heap.text("heap top 2").splitlines()
    assert lines[0] == "largest objects:"
    assert lines[1].strip() == f"{heap.facts['blob']:#x} [{BLOB_BYTES}]uint8 ({BLOB_BYTES:,} B)"
    assert lines[2].strip().startswith("path: main.blobs → ")


def test_a_second_session_reads_the_analysis_saved_beside_the_core(heap: Heap) -> None:
    first = heap.text("heap 50")
    saved = Path(str(heap.path) + CACHE_SUFFIX)
    assert saved.is_file()
    with open_core(heap.core.exe, heap.path) as again:
        started = time.monotonic()
        response = again.client.request("evaluate", {"expression": "heap 50", "context": "repl"})
        elapsed = time.monotonic() - started
        again.client.assert_no_violations()
    assert response["success"] and response["body"]["result"] == first
    assert elapsed < 10.0


@pytest.mark.go_releases("local")
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("refs", "refs needs an address or an expression"),
        ("path 0x10", "is not in a heap object"),
        ("retained nosuchvariable", "nosuchvariable"),
        ("heap lots", "lots"),
    ],
)
def test_bad_heap_questions_get_error_responses(heap: Heap, line: str, message: str) -> None:
    response = heap.run(line)
    assert not response["success"]
    assert message in response["message"]


def test_report_heap_json_has_the_histogram_and_the_largest_objects(heap: Heap) -> None:
    result = run_godap("report", str(heap.core.exe), str(heap.path), "--heap", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema())
    rows = {row["type"]: row for row in report["heap"]["histogram"]}
    assert (rows["main.Node"]["count"], rows["main.Node"]["bytes"]) == (N, N * NODE_BYTES)
    assert (rows["main.Item"]["count"], rows["main.Item"]["bytes"]) == (N, N * ITEM_BYTES)
    largest = report["heap"]["largestObjects"][0]
    assert (int(largest["address"], 16), largest["size"]) == (heap.facts["blob"], BLOB_BYTES)
    assert largest["type"] == f"[{BLOB_BYTES}]uint8"
    assert largest["path"][0] == "main.blobs"
    assert any(
        root["name"] == "main.head" and root["retained"] == N * NODE_BYTES for root in report["heap"]["rootRetainers"]
    )


@pytest.mark.go_releases("local")
def test_report_heap_text_shows_the_histogram(heap: Heap) -> None:
    result = run_godap("report", str(heap.core.exe), str(heap.path), "--heap")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "\nLive heap: " in text
    assert re.search(rf"^\s+{N:,}\s+{N * NODE_BYTES:,}\s+[\d.]+%\s+main\.Node$", text, re.M), text
    assert "path: main.blobs → " in text


VARIANTS = [
    pytest.param("local", BuildOptions(pie=True), id="pie"),
    pytest.param("1.25", BuildOptions(goexperiment="greenteagc"), id="1.25-greenteagc"),
    pytest.param("local", BuildOptions(goexperiment="nogreenteagc"), id="nogreenteagc"),
]


@pytest.mark.parametrize(("release_name", "options"), VARIANTS)
def test_histogram_is_exact_for_pie_and_either_garbage_collector(
    make_core: MakeCore, release_name: str, options: BuildOptions, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A PIE binary (its symbols move with the load bias) and both garbage collectors, whichever is
    the release's default: Green Tea keeps mark bits at the end of small-object spans, below which
    the heap bits move."""
    core = make_core("heapzoo", [str(N)], release_named(release_name), trigger=Trigger.SIGABRT, options=options)
    with open_core(core.exe, _private(core.core, tmp_path_factory)) as session:
        rows = _histogram(session)
        session.client.assert_no_violations()
    assert rows["main.Node"] == (N, N * NODE_BYTES)
    assert rows["main.Item"] == (N, N * ITEM_BYTES)
    assert rows["main.Ring"] == (3, 3 * RING_BYTES)


def test_a_binary_without_dwarf_is_typed_by_what_the_runtime_records(
    make_core: MakeCore, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Without DWARF the layouts come from the release's tables and types from the runtime's own
    records: malloc headers, largeType, and the type descriptors they lead to (the []*Item's
    backing array leads to the Items); the list, reached only from a global, is unknown by size."""
    core = make_core("heapzoo", [str(N)], trigger=Trigger.SIGABRT, options=BuildOptions(ldflags="-w"))
    with open_core(core.exe, _private(core.core, tmp_path_factory)) as session:
        rows = _histogram(session)
        session.client.assert_no_violations()
    assert rows["main.Big"] == (64, 64 * 1152)
    assert rows["main.Item"] == (N, N * ITEM_BYTES)
    assert rows[f"unknown ({NODE_BYTES} B)"][0] >= N
    assert sum(count for count, _ in rows.values()) == pytest.approx(_facts(core.stdout)["HeapObjects"], abs=64)


def test_retainers_expand_from_the_object_to_its_root(heap: Heap) -> None:
    """`retainers` answers a value to expand: the node, then what points to it, down to a root."""
    response = heap.run(f"retainers {heap.facts['ring']:#x}")
    assert response["success"], response
    body = response["body"]
    assert body["result"] == f"{heap.facts['ring']:#x} main.Ring (16 B, retains 48 B)"
    children = heap.session.client.request("variables", {"variablesReference": body["variablesReference"]})
    names = sorted(v["value"] for v in children["body"]["variables"])
    assert names[0].endswith("main.Ring (16 B, retains 16 B)") and names[1] == "main.ring (retains 48 B)", names


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_core_answers_what_it_can_or_says_why(
    make_core: MakeCore, keep: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A core cut short loses heap pages: the analysis counts what remains and says how many spans
    it could not read, or refuses with the reason, and never fails inside."""
    core = _core(make_core, release_named("local"))
    truncated = _private(truncated_copy(core, int(core.core.stat().st_size * keep)), tmp_path_factory)
    with open_core(core.exe, truncated) as session:
        for line in ("heap", "heap top 3", "path main.head", "retainers main.ring"):
            response = session.client.request("evaluate", {"expression": line, "context": "repl"}, timeout=300)
            assert response["success"] or "internal error" not in response["message"], response
            if line == "heap" and response["success"]:
                assert "missing from the core" in response["body"]["result"], response["body"]["result"]
        session.client.assert_no_violations()


@pytest.mark.parametrize("snapshot", [False, True], ids=["stopped", "snapshot"])
def test_a_live_process_heap_is_counted_exactly(build_program: BuildProgram, snapshot: bool) -> None:
    """Attached to the running program (stopped, or copied while it runs on), the same counts."""
    binary = build_program("heapzoo")
    with running(binary, N) as program, attach_process(program.pid, snapshot=snapshot) as session:
        rows = _histogram(session)
        session.client.assert_no_violations()
    assert rows["main.Node"] == (N, N * NODE_BYTES)
    assert rows["main.Item"] == (N, N * ITEM_BYTES)
    assert rows[f"[{BLOB_BYTES}]uint8"] == (1, BLOB_BYTES)
