"""Cases that every run includes, chosen rather than drawn: truncation at every structural
boundary, ELF identities godap does not read (32-bit, big-endian, other machines), executables
and cores swapped or of another Go release or not Go at all, and runtime lists pointing away."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .mutate import UNMAPPED, Case, Mutation
from .regions import Region

Regions = Callable[[str], dict[str, Region]]
EI_CLASS, EI_DATA, E_MACHINE = 4, 5, 18
MAX_LOADS = 12
MAX_NOTES = 8


def truncations(fixture: str, regions: Regions) -> Iterator[Case]:
    """The core cut at the start, middle and end of its headers, notes and first segments, and the
    executable cut at the start and middle of each section."""
    core = regions(f"{fixture}:core")
    for name, region in core.items():
        structural = name in ("elf.header", "phdrs", "notes") or name.startswith(("note:", "mem:allgs"))
        is_load = name.startswith("load#") and int(name[5:]) < MAX_LOADS
        if name.startswith("note:") and int(name.split("#")[1].split(".")[0]) >= MAX_NOTES:
            continue
        if not (structural or is_load):
            continue
        for offset in sorted({0, region.size // 2, region.size}):
            yield Case(fixture, (Mutation("core", name, "truncate", offset),), note="truncated core")
    for name, region in regions(f"{fixture}:exe").items():
        if name.startswith(("sec:", "pclntab:")) or name in ("phdrs", "shdrs"):
            for offset in sorted({0, region.size // 2}):
                yield Case(fixture, (Mutation("exe", name, "truncate", offset),), note="truncated executable")


def identities(fixture: str) -> Iterator[Case]:
    """32-bit, big-endian and other-machine ELF headers, on the core and on the executable."""
    for target in ("core", "exe"):
        for offset, value, note in (
            (EI_CLASS, 1, "a 32-bit ELF"),
            (EI_DATA, 2, "a big-endian ELF"),
            (E_MACHINE, 183, "an arm64 ELF"),
            (E_MACHINE, 3, "an x86 (32-bit) ELF"),
            (0, 0x7E, "not an ELF (bad magic)"),
        ):
            yield Case(fixture, (Mutation(target, "elf.header", "byte", offset, value),), note=f"{target} is {note}")


def swaps(fixtures: list[str], foreign: list[str]) -> Iterator[Case]:
    """Every executable with every other fixture's core, cores and executables in each other's
    place, and non-Go programs."""
    for a in fixtures + foreign:
        for b in fixtures + foreign:
            if a != b:
                yield Case(a, program=f"{b}:exe", note="executable of another program or release")
        yield Case(a, program=f"{a}:core", core=f"{a}:exe", note="core and executable swapped")
        yield Case(a, program=f"{a}:core", note="the core as the executable")
        yield Case(a, core=f"{a}:exe", note="the executable as the core")


def runtime_lists(fixture: str) -> Iterator[Case]:
    """allgs and allm pointing into unmapped memory, at themselves, or claiming huge lengths."""
    huge = 1 << 40
    yield Case(fixture, (Mutation("core", "mem:allgs", "word", 0, UNMAPPED),), note="allgs points into unmapped memory")
    yield Case(fixture, (Mutation("core", "mem:allgs", "word", 0, 0),), note="allgs is nil")
    yield Case(
        fixture,
        tuple(
            Mutation("core", region, "word", offset, huge)
            for region, offset in (("mem:allgs", 8), ("mem:allgs", 16), ("mem:allglen", 0))
        ),
        note="allgs claims 2^40 goroutines",
    )
    yield Case(fixture, (Mutation("core", "mem:allgs", "word", 0, -1),), note="allgs points at itself")
    yield Case(fixture, (Mutation("core", "mem:allm", "word", 0, UNMAPPED),), note="allm points into unmapped memory")
    yield Case(fixture, (Mutation("core", "mem:allm", "word", 0, -1),), note="allm points at itself")
    yield Case(fixture, (Mutation("core", "mem:allgs.array", "zero", 0, 64),), note="allgs entries are nil")


def bombs(fixture: str) -> Iterator[Case]:
    """Compressed DWARF sections claiming an inflated size no real section has (2 GiB, 2^63)."""
    for section in ("sec:.debug_info", "sec:.debug_loclists", "sec:.debug_abbrev"):
        for size in (2**31 - 1, 2**63):
            # Elf64_Chdr: ch_type, ch_reserved, then ch_size at offset 8
            yield Case(fixture, (Mutation("exe", section, "word", 8, size),), note="a decompression bomb")


def unmutated(fixtures: list[str], foreign: list[str]) -> Iterator[Case]:
    for fixture in fixtures + foreign:
        yield Case(fixture, note="unmutated")


def all_structural(fixtures: list[str], foreign: list[str], regions: Regions, boundaries: str) -> list[Case]:
    """Truncations and ELF identities on the `boundaries` fixture; the rest on every fixture."""
    cases = list(unmutated(fixtures, foreign))
    cases += truncations(boundaries, regions)
    cases += identities(boundaries)
    cases += bombs(boundaries)
    for fixture in fixtures:
        cases += runtime_lists(fixture)
    cases += swaps(fixtures, foreign)
    return cases
