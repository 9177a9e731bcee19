"""Structure-aware mutations of a core and its executable, applied in place to working copies.

A `Case` is a few `Mutation`s; each strikes a named `Region` (see regions.py) with one operation:
flip bits, set a byte, set an aligned word to a hostile value (0, -1, huge, a pointer to itself,
a pointer into unmapped memory...), zero a range, or truncate the file there. `WorkingCopy`
applies a case to a sparse copy of the file and undoes it afterwards, so a thousand cases cost a
thousand small writes, not a thousand copies of an 80 MB core.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from .regions import Region

OPS = ("flip", "byte", "word", "dword", "zero", "truncate")
UNMAPPED = 0x00DE_AD00_0000
HOSTILE_WORDS = (
    0,
    1,
    0xFFFF_FFFF_FFFF_FFFF,
    0x7FFF_FFFF_FFFF_FFFF,
    0x8000_0000_0000_0000,
    0xFFFF_FFFF,
    0x8000_0000,
    1 << 40,
    UNMAPPED,
    0x1000,
)
HOSTILE_DWORDS = (0, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF, 4096)
SELF = -1  # word value meaning "the address of this word" (a one-element cycle)


@dataclass(frozen=True)
class Mutation:
    target: str  # "core" or "exe"
    region: str
    op: str
    offset: int  # within the region
    value: int = 0

    def describe(self) -> str:
        value = "self" if self.value == SELF else f"{self.value:#x}"
        return f"{self.target}:{self.region}+{self.offset:#x} {self.op} {value}"


@dataclass(frozen=True)
class Case:
    """Launch `program` against `core` (files named "<fixture>:exe" / "<fixture>:core", the
    fixture's own pair by default), with `mutations` applied to them first."""

    fixture: str
    mutations: tuple[Mutation, ...] = ()
    program: str = ""
    core: str = ""
    note: str = ""  # what the case is about, for people reading the corpus

    @property
    def program_file(self) -> str:
        return self.program or f"{self.fixture}:exe"

    @property
    def core_file(self) -> str:
        return self.core or f"{self.fixture}:core"

    def describe(self) -> str:
        files = "" if not (self.program or self.core) else f" [{self.program_file} with {self.core_file}]"
        what = "; ".join(m.describe() for m in self.mutations) or "unmutated"
        return f"{self.fixture}{files}: {what}" + (f" ({self.note})" if self.note else "")

    def to_json(self) -> str:
        raw = {k: v for k, v in asdict(self).items() if v or k == "fixture"}
        return json.dumps(raw, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Case:
        raw = json.loads(text)
        mutations = tuple(Mutation(**m) for m in raw.pop("mutations", ()))
        return cls(mutations=mutations, **raw)


def random_mutation(rng: random.Random, target: str, regions: list[Region]) -> Mutation:
    region = rng.choice(regions)
    op = rng.choices(OPS, weights=(30, 15, 30, 10, 5, 3 if target == "core" else 1))[0]
    if op == "truncate":
        offset = rng.choice((0, region.size // 2, region.size, rng.randrange(region.size + 1)))
        return Mutation(target, region.name, op, offset)
    if op in ("word", "dword"):
        width = 8 if op == "word" else 4
        slots = max(1, region.size // width)
        offset = rng.randrange(slots) * width
        if op == "word":
            value = rng.choice((*HOSTILE_WORDS, SELF, rng.getrandbits(64), rng.randrange(1, 1 << 16)))
        else:
            value = rng.choice((*HOSTILE_DWORDS, rng.getrandbits(32)))
        return Mutation(target, region.name, op, offset, value)
    offset = rng.randrange(region.size)
    if op == "flip":
        return Mutation(target, region.name, op, offset, 1 << rng.randrange(8))
    if op == "byte":
        return Mutation(target, region.name, op, offset, rng.choice((0, 0xFF, 0x7F, 0x80, rng.randrange(256))))
    return Mutation(target, region.name, op, offset, rng.randint(1, min(256, region.size - offset)))


def random_case(
    rng: random.Random, fixture: str, core_regions: list[Region], exe_regions: list[Region], *, max_mutations: int = 3
) -> Case:
    mutations = []
    for _ in range(rng.choice((1, 1, 1, 2, max_mutations))):
        if rng.random() < 0.7:
            mutations.append(random_mutation(rng, "core", core_regions))
        else:
            mutations.append(random_mutation(rng, "exe", exe_regions))
    return Case(fixture, tuple(mutations))


class WorkingCopy:
    """A sparse copy of one file that cases are applied to and undone from."""

    def __init__(self, pristine: Path, work: Path) -> None:
        self.pristine = pristine
        self.path = work
        self.size = pristine.stat().st_size
        copy_sparse(pristine, work, self.size)

    @contextmanager
    def mutated(self, mutations: list[Mutation], regions: dict[str, Region]) -> Iterator[list[str]]:
        """Apply `mutations` (those whose region exists); yields what was applied; undoes all after."""
        undo: list[tuple[int, bytes]] = []
        truncated_at: int | None = None
        applied: list[str] = []
        try:
            with self.path.open("r+b") as handle:
                for m in mutations:
                    region = regions.get(m.region)
                    if region is None:
                        continue
                    at = region.offset + m.offset
                    if m.op == "truncate":
                        cut = min(at, self.size)
                        truncated_at = cut if truncated_at is None else min(truncated_at, cut)
                        applied.append(m.describe())
                        continue
                    new = _patched(handle, at, m, region)
                    if new is None:
                        continue
                    handle.seek(at)
                    undo.append((at, handle.read(len(new))))
                    handle.seek(at)
                    handle.write(new)
                    applied.append(m.describe())
                if truncated_at is not None:
                    handle.truncate(truncated_at)
            yield applied
        finally:
            self._restore(undo, truncated_at)

    def _restore(self, undo: list[tuple[int, bytes]], truncated_at: int | None) -> None:
        with self.path.open("r+b") as handle:
            if truncated_at is not None:
                handle.truncate(self.size)
                with self.pristine.open("rb") as source:
                    for start, end in data_extents(source.fileno(), truncated_at, self.size):
                        source.seek(start)
                        handle.seek(start)
                        handle.write(source.read(end - start))
            for at, old in reversed(undo):
                if at < (truncated_at if truncated_at is not None else self.size):
                    handle.seek(at)
                    handle.write(old)


def _patched(handle: BinaryIO, at: int, m: Mutation, region: Region) -> bytes | None:
    """The bytes `m` writes at `at`, or None if it does not apply."""
    handle.seek(at)
    if m.op in ("flip", "byte"):
        old = handle.read(1)
        if len(old) != 1:
            return None
        return bytes([old[0] ^ m.value if m.op == "flip" else m.value])
    if m.op == "word":
        base = region.vaddr if region.vaddr is not None else region.offset
        value = base + m.offset if m.value == SELF else m.value
        return (value & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "little")
    if m.op == "dword":
        return (m.value & 0xFFFF_FFFF).to_bytes(4, "little")
    if m.op == "zero":
        return bytes(m.value)
    raise ValueError(f"unknown operation {m.op!r}")


def copy_sparse(source: Path, target: Path, size: int) -> None:
    """Copy `source` to `target`, leaving holes where the source has them."""
    with source.open("rb") as src, target.open("wb") as dst:
        for start, end in data_extents(src.fileno(), 0, size):
            src.seek(start)
            dst.seek(start)
            remaining = end - start
            while remaining:
                chunk = src.read(min(1 << 20, remaining))
                dst.write(chunk)
                remaining -= len(chunk)
        dst.truncate(size)


def data_extents(fd: int, start: int, limit: int) -> list[tuple[int, int]]:
    """(start, end) ranges in [start, limit) that hold data, per SEEK_DATA/SEEK_HOLE."""
    extents = []
    position = start
    while position < limit:
        try:
            begin = os.lseek(fd, position, os.SEEK_DATA)
        except OSError:
            break
        if begin >= limit:
            break
        end = min(os.lseek(fd, begin, os.SEEK_HOLE), limit)
        extents.append((begin, end))
        position = end
    return extents


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
