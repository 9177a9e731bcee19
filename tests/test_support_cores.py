"""Real cores: made from the fixtures, parsed from Go's own output, cross-checked with Delve."""

from __future__ import annotations

import gzip
import hashlib
import lzma
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import zstandard
from conftest import BuildProgram, MakeCore, RunDelve
from support import delve, programs
from support import traceback as tb
from support.build import BuildOptions, Mode
from support.cores import Core, CoreDumpUnavailable, Trigger, compressed_copy, emulator_for, truncated_copy
from support.prerequisites import missing
from support.toolchains import Release

from dap_server.session import Session, SessionOptions

ET_CORE = 4
EM_AARCH64 = 183


def _assert_elf_core(path: Path) -> None:
    with path.open("rb") as f:
        header = f.read(18)
    assert header[:4] == b"\x7fELF", path
    assert int.from_bytes(header[16:18], "little") == ET_CORE, path


def _delve_ids(run_delve: RunDelve, core: Core) -> set[int]:
    (result,) = run_delve(core.exe, core.core, ["goroutines"])
    assert result.error is None, result.error
    goroutines = delve.parse_goroutines(result.output)
    assert delve.goroutine_count(result.output) == len(goroutines)
    assert sum(g.current for g in goroutines) <= 1
    return {g.id for g in goroutines}


@pytest.mark.go_releases("local", "1.21")
def test_blocked_sigabrt_core(make_core: MakeCore, run_delve: RunDelve, go_release: Release, build_mode: Mode) -> None:
    core = make_core(programs.ZOO, ["blocked"], go_release, build_mode, trigger="sigabrt")
    _assert_elf_core(core.core)
    assert core.signal == signal.SIGABRT and core.exit_status is None
    parsed = tb.parse(core.stderr)
    assert not parsed.unparsed
    assert parsed.signal is not None and parsed.signal.name == "SIGABRT"
    assert len(parsed.user_goroutines) > 10
    statuses = {g.wait_reason for g in parsed.user_goroutines}
    assert {
        "chan receive",
        "chan send",
        "select",
        "sync.Mutex.Lock",
        "IO wait",
        "sleep",
        "syscall",
    } <= statuses
    assert set(programs.parse_manifest(core.stdout)) <= {g.id for g in parsed.user_goroutines}
    assert _delve_ids(run_delve, core) == {g.id for g in parsed.user_goroutines}


@pytest.mark.go_releases("local", "1.21")
def test_nilderef_core(make_core: MakeCore, run_delve: RunDelve, go_release: Release, build_mode: Mode) -> None:
    core = make_core(programs.ZOO, ["nilderef"], go_release, build_mode)
    _assert_elf_core(core.core)
    assert core.signal == signal.SIGABRT
    parsed = tb.parse(core.stderr)
    assert parsed.signal is not None and parsed.signal.name == "SIGSEGV"
    assert "main.derefPlain" in parsed.goroutines[0].functions
    assert _delve_ids(run_delve, core) == {g.id for g in parsed.user_goroutines}


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_delve_reads_values_from_the_core(
    make_core: MakeCore, run_delve: RunDelve, go_release: Release, build_mode: Mode
) -> None:
    core = make_core(programs.ZOO, ["blocked"], go_release, build_mode, trigger="sigabrt")
    goid = next(g for g, name in programs.parse_manifest(core.stdout).items() if name == "refreshOnNotification")
    results = run_delve(
        core.exe,
        core.core,
        [
            "print main.AppVersion.GitRefs[3]",
            "whatis main.GShape",
            "vars -v ^main.G(Int|Map)$",
            f"goroutine {goid} stack -full",
            "print nosuchsymbol",
        ],
    )
    printed, whatis, variables, stack, missing = results
    assert printed.output == '"tags/1.5.1-45"'
    assert delve.parse_whatis(whatis.output) == delve.WhatIs("main.Shape", "*main.Plain")
    assert delve.parse_assignments(variables.output)["main.GInt"] == "-42"
    frames = delve.parse_stack(stack.output)
    (refresh,) = [f for f in frames if f.function == "main.refreshOnNotification"]
    assert 'viewNameToRefresh: "mv.refresh_bidder_list()"' in refresh.variables["queue"]
    assert missing.error is not None and "nosuchsymbol" in missing.error


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_compressed_and_truncated_copies(make_core: MakeCore, go_release: Release, build_mode: Mode) -> None:
    core = make_core(programs.ZOO, ["nilderef"], go_release, build_mode)
    original = hashlib.sha256(core.core.read_bytes()).hexdigest()
    readers = {"gz": gzip.open, "xz": lzma.open}
    for fmt in ("gz", "xz", "zst"):
        copy = compressed_copy(core, fmt)
        if fmt == "zst":
            with copy.open("rb") as f:
                data = zstandard.ZstdDecompressor().stream_reader(f).read()
        else:
            with readers[fmt](copy, "rb") as f:
                data = f.read()
        assert hashlib.sha256(data).hexdigest() == original, fmt
    cut = os.path.getsize(core.core) // 3
    truncated = truncated_copy(core, cut)
    assert truncated.stat().st_size == cut
    assert truncated.read_bytes() == core.core.read_bytes()[:cut]


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_cgo_cores(make_core: MakeCore, go_release: Release, build_mode: Mode) -> None:
    blocked = make_core(programs.CGOZOO, ["blocked"], go_release, build_mode, trigger="sigabrt")
    parsed = tb.parse(blocked.stderr)
    for goid, name in programs.parse_manifest(blocked.stdout).items():
        expected = next(b for b in programs.CGOZOO_BLOCKED if b.name == name)
        goroutine = parsed.goroutine(goid)
        assert goroutine.wait_reason == expected.wait_reason and expected.function in goroutine.functions
    ccrash = tb.parse(make_core(programs.CGOZOO, ["ccrash"], go_release, build_mode).stderr)
    assert ccrash.signal is not None and ccrash.signal.name == "SIGSEGV"
    assert "signal arrived during cgo execution" in ccrash.header
    cbpanic = tb.parse(make_core(programs.CGOZOO, ["cbpanic"], go_release, build_mode).stderr)
    assert "runtime.cgocallbackg" in cbpanic.goroutines[0].functions


@pytest.mark.slow
@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_hundred_thousand_goroutines(make_core: MakeCore, go_release: Release, build_mode: Mode) -> None:
    # Go's crash dump of 100,000 goroutines alone takes tens of seconds.
    core = make_core(programs.MANY, ["100000"], go_release, build_mode, trigger="sigabrt", timeout=900)
    assert programs.parse_many_kinds(core.stdout) == {"chan": 33334, "sleep": 33333, "mutex": 33333}
    parsed = tb.parse(core.stderr)
    counts = {b.function: 0 for b in programs.MANY_BLOCKED}
    for goroutine in parsed.user_goroutines:
        for function in counts:
            counts[function] += function in goroutine.functions
    assert counts == {"main.waitChan": 33334, "main.waitSleep": 33333, "main.waitMutex": 33333}


@pytest.mark.slow
@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_gcore_snapshot(make_core: MakeCore, run_delve: RunDelve, go_release: Release, build_mode: Mode) -> None:
    core = make_core(programs.ZOO, ["blocked"], go_release, build_mode, trigger="gcore")
    _assert_elf_core(core.core)
    stat = core.core.stat()
    assert stat.st_blocks * 512 < stat.st_size // 10, "zero pages should be holes"
    manifest = programs.parse_manifest(core.stdout)
    assert set(manifest) <= _delve_ids(run_delve, core)


def _note_types(core: Path) -> list[str]:
    """The note types binutils' readelf finds in a core (an oracle independent of godap)."""
    readelf = shutil.which("readelf")
    if readelf is None:
        missing("readelf (binutils) is not installed")
    listing = subprocess.run([readelf, "-n", str(core)], capture_output=True, text=True, check=True, timeout=60)
    return re.findall(r"\b(NT_[A-Z_]+)\b", listing.stdout)


@pytest.mark.go_releases("local", "1.21")
def test_qemu_user_arm64_core_carries_what_godap_needs(go_release: Release, make_core: MakeCore) -> None:
    """qemu-aarch64's core of a signal death: an ELF core for AArch64 with one NT_PRSTATUS per
    thread (one per M that Go printed), NT_PRPSINFO and NT_AUXV. It lists no mapped files (no
    NT_FILE), which godap says while reading the executable's code from the executable."""
    core = make_core("zoo", ("blocked",), go_release, trigger=Trigger.SIGABRT, options=BuildOptions(arch="arm64"))
    _assert_elf_core(core.core)
    with core.core.open("rb") as f:
        assert int.from_bytes(f.read(20)[18:20], "little") == EM_AARCH64
    stat = core.core.stat()
    assert stat.st_blocks * 512 < stat.st_size // 4, "qemu writes the guest's zero pages: they should be holes"
    notes = _note_types(core.core)
    printed = tb.parse(core.stderr)
    assert notes.count("NT_PRSTATUS") == len(printed.sections) >= 2
    assert notes.count("NT_PRPSINFO") == 1 and notes.count("NT_AUXV") == 1
    session = Session.open(SessionOptions(program=str(core.exe), core=str(core.core)))
    try:
        assert len(session.process.debuggee.threads) == notes.count("NT_PRSTATUS")
        says_no_files = any("no NT_FILE" in warning for warning in session.warnings)
        assert says_no_files == ("NT_FILE" not in notes)
    finally:
        session.close()


def test_without_qemu_an_arm64_core_is_a_missing_prerequisite(
    build_program: BuildProgram, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    binary = build_program("zoo", options=BuildOptions(arch="arm64"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CoreDumpUnavailable, match=r"qemu-aarch64 is not installed .*qemu-user"):
        emulator_for(binary.exe)
