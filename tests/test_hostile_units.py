"""Small facts behind the fuzz findings (issue 7), pinned without a core."""

from __future__ import annotations

import pytest

from dap_server.debuggee.errors import UnreadableMemory
from dap_server.debuggee.memory import SegmentMemory, Span
from dap_server.goruntime.goroutines import Goroutine
from dap_server.goruntime.sanity import implausibility, vet


def test_empty_and_negative_reads_never_touch_a_missing_buffer() -> None:
    memory = SegmentMemory([Span(0x1000, 0x2000, b"\x01" * 0x1000, 0, "core")])
    assert memory.read(0, 0) == b""
    assert memory.read(0x1800, 0) == b""
    with pytest.raises(UnreadableMemory):
        memory.read(0, -8)
    assert memory.read(0x1000, 4) == b"\x01" * 4


def _g(addr: int, goid: int, status: int = 4, lo: int = 0xC000, hi: int = 0xE000, sp: int = 0xD000) -> Goroutine:
    return Goroutine(addr, goid=goid, status=status, stack_lo=lo, stack_hi=hi, sched_sp=sp)


def test_records_that_cannot_be_goroutines_become_unreadable_with_the_reason() -> None:
    assert implausibility(_g(0x10, 7)) is None
    assert "status" in (implausibility(_g(0x10, 7, status=0x5877A0CC)) or "")
    assert "idle" in (implausibility(_g(0x10, 7, status=0)) or "")
    assert "id" in (implausibility(_g(0x10, 0)) or "")
    assert "stack" in (implausibility(_g(0x10, 7, lo=0xE000, hi=0xC000)) or "")
    assert "stack pointer" in (implausibility(_g(0x10, 7, sp=0x10)) or "")


def test_a_garbage_record_cannot_shadow_a_real_goroutine() -> None:
    real, twin, again = _g(0x10, 1), _g(0x20, 1), _g(0x10, 1)
    kept, warnings = vet([real, twin, again, _g(0x30, 9, status=0xFFFF)])
    assert kept[0] is real
    assert [g.unreadable is not None for g in kept] == [False, True, True]
    assert any("not goroutines" in w for w in warnings) and any("more than once" in w for w in warnings)
