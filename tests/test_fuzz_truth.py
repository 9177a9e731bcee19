"""Truth under damage (issue 7): where the core is truncated or a runtime list is damaged, the
affected goroutines and values say so, with the reason, instead of showing something plausible."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cores import truncated_copy
from support.fuzz.campaign import Fixture
from support.fuzz.driver import AdapterDriver
from support.fuzz.explore import launch
from support.fuzz.fixtures import go_fixture

from dap_server.binfmt.elf import PT_LOAD, parse_header, program_headers
from dap_server.session import Session, SessionOptions


def _file_offset(core: Path, address: int) -> int:
    data = core.read_bytes()[: 1 << 20]
    header = parse_header(data, "core")
    for ph in program_headers(data, header, "core"):
        if ph.type == PT_LOAD and ph.vaddr <= address < ph.vaddr + ph.filesz:
            return ph.offset + address - ph.vaddr
    raise AssertionError(f"{address:#x} is not dumped in {core}")


@pytest.fixture(scope="module")
def values() -> Fixture:
    return go_fixture("values")


def _holder(fixture: Fixture) -> tuple[int, int, int]:
    """(goid, record address, sched.sp) of the parked goroutine whose stack lies last in the core file."""
    core = Path(fixture.core)
    session = Session.open(SessionOptions(program=fixture.exe, core=fixture.core))
    try:
        parked = [g for g in session.goroutines if g.sched_sp and g.goid > 1 and g.unreadable is None]
        g = max(parked, key=lambda g: _file_offset(core, g.sched_sp))
        return g.goid, g.addr, g.sched_sp
    finally:
        session.close()


def test_a_stack_cut_by_truncation_ends_with_the_reason(values: Fixture) -> None:
    goid, record, sp = _holder(values)
    core = Path(values.core)
    cut = _file_offset(core, sp) + 8  # the innermost frame is cut in two
    driver = AdapterDriver()
    walk = launch(driver, values.exe, str(truncated_copy(core, cut)))
    assert walk.launched and any("truncated" in w for w in walk.warnings), walk.warnings
    if _file_offset(core, record) + 512 <= cut:
        frames = driver.request("stackTrace", {"threadId": goid})["body"]["stackFrames"]
        labels = [f["name"] for f in frames if f.get("presentationHint") == "label"]
        assert any("missing: the core file is truncated" in label for label in labels), [f["name"] for f in frames]
    else:  # the goroutine's own record was cut too: it is listed as unreadable, with the reason
        names = [t["name"] for t in driver.request("threads")["body"]["threads"]]
        assert any("unreadable" in n and "truncated" in n for n in names), names
    driver.close()
    assert not driver.defects


def test_a_goroutine_list_cut_by_truncation_says_so(values: Fixture) -> None:
    session = Session.open(SessionOptions(program=values.exe, core=values.core))
    try:
        first = min(g.addr for g in session.goroutines)
    finally:
        session.close()
    cut = _file_offset(Path(values.core), first) & ~0xFFF
    driver = AdapterDriver()
    walk = launch(driver, values.exe, str(truncated_copy(Path(values.core), cut)))
    assert walk.launched, walk.launch_message
    assert any("truncated" in w and "goroutine" in w for w in walk.warnings), walk.warnings
    driver.close()
    assert not driver.defects


def test_a_value_in_the_truncated_part_says_the_core_is_truncated(values: Fixture) -> None:
    driver = AdapterDriver()
    launch(driver, values.exe, values.core)
    data = int(driver.request("evaluate", {"expression": "gLongSlice"})["body"]["memoryReference"], 16)
    driver.close()
    cut = _file_offset(Path(values.core), data) & ~0xFFF
    driver = AdapterDriver()
    launch(driver, values.exe, str(truncated_copy(Path(values.core), cut)))
    answer = driver.request("evaluate", {"expression": "gLongSlice"})
    driver.close()
    assert not driver.defects
    assert "truncated" in answer["body"]["result"], answer["body"]["result"]
