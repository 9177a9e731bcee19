"""The small parts of the values layer on made-up inputs: Go formatting, DWARF expressions, location
and range lists in both DWARF versions, and the raw DIE scanner against pyelftools."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable

import pytest
from conftest import BuildProgram

from dap_server.goruntime.values.format import format_complex, format_duration, format_float, format_time, quote
from dap_server.program.dwarf.info import SectionStream
from dap_server.program.dwarf.lists import ListReader, UnitBase
from dap_server.program.dwarf.locations import (
    OPTIMIZED_AWAY,
    UNSAVED_REGISTER,
    FrameState,
    LocationError,
    Piece,
    evaluate_location,
)
from dap_server.program.dwarf.scan import scan
from dap_server.program.elf_image import ElfImage
from dap_server.program.program import Program


@pytest.mark.parametrize(
    ("value", "bits", "text"),
    [
        (3.25, 64, "3.25"),
        (1e6, 64, "1e+06"),
        (123456.789, 64, "123456.789"),
        (1e21, 64, "1e+21"),
        (0.0001, 64, "0.0001"),
        (0.00001, 64, "1e-05"),
        (-0.125, 64, "-0.125"),
        (100.0, 64, "100"),
        (1 / 3, 64, "0.3333333333333333"),
        (5e-324, 64, "5e-324"),
        (-0.0, 64, "-0"),
        (float("inf"), 64, "+Inf"),
        (float("nan"), 64, "NaN"),
        (1.1, 32, "1.1"),
        (0.1, 32, "0.1"),
        (3.4028234663852886e38, 32, "3.4028235e+38"),
    ],
)
def test_floats_print_like_strconv(value: float, bits: int, text: str) -> None:
    if bits == 32:
        value = struct.unpack("<f", struct.pack("<f", value))[0]
    assert format_float(value, bits) == text


def test_complex_durations_strings_and_times_print_like_go() -> None:
    assert format_complex(1.5, -2) == "(1.5-2i)"
    assert format_complex(0.5, 0.25, 32) == "(0.5+0.25i)"
    durations = {
        0: "0s",
        1: "1ns",
        1500: "1.5µs",
        1_500_000: "1.5ms",
        90 * 10**9: "1m30s",
        3723 * 10**9 + 5 * 10**8: "1h2m3.5s",
        -5000: "-5µs",
    }
    for ns, text in durations.items():
        assert format_duration(ns) == text
    assert quote('hello, 世界\n"q"'.encode()) == '"hello, 世界\\n\\"q\\""'
    assert quote(b"bytes\x00\xff\x7f") == '"bytes\\x00\\xff\\x7f"'
    assert quote("\u200b".encode()) == '"\\u200b"'
    assert quote(b"x" * 10, 4) == '"xxxx"...+6 more'
    assert format_time(63839761445, 6) == "2024-01-02T03:04:05.000000006Z"
    assert format_time(63852836400, 0, 3600, "CET") == "2024-06-01T12:00:00+01:00 CET"
    assert format_time(0, 0) == "0001-01-01T00:00:00Z"


def _state(registers: dict[int, int | bytes] | None = None, cfa: int = 0x1000) -> FrameState:
    memory = {0x2000: 0x3000}
    return FrameState(
        cfa=cfa,
        register=None if registers is None else registers.get,
        read_u64=lambda addr: memory[addr],
        bias=0x10,
    )


def test_expressions_go_emits() -> None:
    addr = bytes([0x03]) + struct.pack("<Q", 0x500)
    assert evaluate_location(addr, _state()) == [Piece(None, address=0x510)]
    assert evaluate_location(bytes([0x9C]), _state()) == [Piece(None, address=0x1000)]
    assert evaluate_location(bytes([0x91, 0x78]), _state()) == [Piece(None, address=0x1000 - 8)]  # fbreg -8
    assert evaluate_location(bytes([0x9C, 0x23, 0x10]), _state()) == [Piece(None, address=0x1010)]  # plus_uconst
    deref = bytes([0x03]) + struct.pack("<Q", 0x1FF0) + bytes([0x06])  # addr 0x2000, deref
    assert evaluate_location(deref, _state()) == [Piece(None, address=0x3000)]
    assert evaluate_location(bytes([0x35, 0x9F]), _state()) == [Piece(None, data=(5).to_bytes(8, "little"))]
    assert evaluate_location(bytes([0x11, 0x7F, 0x9F]), _state())[0].data == (-1 & (1 << 64) - 1).to_bytes(8, "little")
    assert evaluate_location(bytes([0x9E, 0x02, 0xAB, 0xCD]), _state()) == [Piece(None, data=b"\xab\xcd")]
    assert evaluate_location(b"", _state()) == [Piece(None, missing=OPTIMIZED_AWAY)]


def test_register_pieces_need_the_frames_own_registers() -> None:
    string = bytes([0x50, 0x93, 0x08, 0x53, 0x93, 0x08])  # rax piece 8, rbx piece 8
    assert evaluate_location(string, _state({0: 0x4000, 3: 5})) == [
        Piece(8, data=(0x4000).to_bytes(8, "little")),
        Piece(8, data=(5).to_bytes(8, "little")),
    ]
    assert evaluate_location(string, _state(None)) == [Piece(8, missing=UNSAVED_REGISTER)] * 2
    partial = bytes([0x93, 0x08, 0x53, 0x93, 0x08])  # first piece dead, then rbx
    assert evaluate_location(partial, _state({3: 5}))[0] == Piece(8, missing=OPTIMIZED_AWAY)
    xmm = bytes([0x61])  # DWARF 17 = xmm0
    assert evaluate_location(xmm, _state({17: b"\x01" * 16})) == [Piece(None, data=b"\x01" * 16)]
    with pytest.raises(LocationError, match="optimized away"):
        evaluate_location(bytes([0x77, 0x08]), _state(None))  # breg7 (rsp) + 8 without registers
    with pytest.raises(LocationError, match="unsupported"):
        evaluate_location(bytes([0xE0]), _state())


def _uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def test_location_lists_in_dwarf4_and_dwarf5() -> None:
    v4 = (
        struct.pack("<QQ", 0xFFFFFFFFFFFFFFFF, 0x401000)  # base selection: the function's start
        + struct.pack("<QQH", 0x0, 0x10, 1)
        + b"\x50"
        + struct.pack("<QQH", 0x10, 0x40, 2)
        + b"\x91\x08"
        + struct.pack("<QQ", 0, 0)
    )
    addr = struct.pack("<QQ", 0xAAAA, 0x402000)
    v5 = bytes([1]) + _uleb(1) + bytes([4]) + _uleb(0) + _uleb(0x20) + _uleb(1) + b"\x50" + bytes([0])
    reader = ListReader({".debug_loc": v4, ".debug_loclists": v5, ".debug_addr": addr})
    unit4 = UnitBase(4, 0x400000, 0)
    assert reader.find_location(0, unit4, 0x401008) == b"\x50"
    assert reader.find_location(0, unit4, 0x401010) == b"\x91\x08"
    assert reader.find_location(0, unit4, 0x401040) is None
    unit5 = UnitBase(5, 0x400000, 0)
    assert reader.find_location(0, unit5, 0x40201F) == b"\x50"
    assert reader.find_location(0, unit5, 0x402020) is None


def test_range_lists_in_dwarf4_and_dwarf5() -> None:
    v4 = struct.pack("<QQQQQQ", 0x10, 0x20, 0xFFFFFFFFFFFFFFFF, 0x500000, 0x1, 0x2) + struct.pack("<QQ", 0, 0)
    v5 = bytes([5]) + struct.pack("<Q", 0x600000) + bytes([4]) + _uleb(4) + _uleb(8) + bytes([0])
    reader = ListReader({".debug_ranges": v4, ".debug_rnglists": v5})
    assert reader.ranges(0, UnitBase(4, 0x400000, 0)) == [(0x400010, 0x400020), (0x500001, 0x500002)]
    assert reader.ranges(0, UnitBase(5, 0x400000, 0)) == [(0x600004, 0x600008)]


def test_raw_scanner_agrees_with_pyelftools(build_program: BuildProgram) -> None:
    """The scan of a unit, with pyelftools' abbreviation table and with the raw reader's, lists the
    DIEs pyelftools walks."""
    program = Program(str(build_program("values").exe))
    dwarf = program.dwarf
    ours_unit = dwarf.find_one("main.gInt", ("DW_TAG_variable",)).cu
    cu = dwarf.pyelftools.get_DIE_from_refaddr(ours_unit.cu_die_offset).cu
    theirs = [
        (die.offset, die.tag, die.attributes["DW_AT_name"].value if "DW_AT_name" in die.attributes else None)
        for die in cu.iter_DIEs()
        if not die.is_null() and die.tag != "DW_TAG_compile_unit"
    ]
    for table in (cu.get_abbrev_table(), ours_unit.get_abbrev_table()):
        ours = [
            (offset, tag, values.get("DW_AT_name"))
            for offset, tag, _depth, values in scan(
                dwarf.raw_info, cu.cu_die_offset, cu.cu_offset + cu.size, table, frozenset({"DW_AT_name"})
            )
            if tag != "DW_TAG_compile_unit"
        ]
        assert ours == theirs
    program.close()


@pytest.mark.parametrize("inflated_before_step", range(5))
def test_section_streams_keep_their_place_when_inflation_finishes_aside(
    build_program: BuildProgram, inflated_before_step: int
) -> None:
    """pyelftools reads `.debug_info` through a stream serving the inflated front; when a
    background inflation finishes between two moves, the stream switches to the whole section
    and must go on from the same place."""
    exe = str(build_program("values").exe)
    reference = ElfImage(exe)
    expected = io.BytesIO(reference.section_data(".debug_info") or b"")
    reference.close()
    image = ElfImage(exe)
    contents = image.section_contents(".debug_info")
    assert contents is not None and not contents.complete, "Go links DWARF compressed"
    stream = SectionStream(image, ".debug_info")
    moves: list[Callable[[io.RawIOBase | io.BytesIO], object]] = [
        lambda s: s.seek(1000),
        lambda s: s.read(7),
        lambda s: s.seek(5, io.SEEK_CUR),
        lambda s: s.read(300),
        lambda s: s.seek(-3, io.SEEK_END),
    ]
    for step, move in enumerate(moves):
        if step == inflated_before_step:
            contents.inflate_aside()
            assert contents.complete
        assert move(stream) == move(expected)
        assert stream.tell() == expected.tell()
    assert stream.read() == expected.read()
    image.close()
