"""Running mutated-core cases: in this process or spread over worker processes.

Case `i` of a run is a pure function of (seed, i, the fixture's regions), so a failure names a
case that can be run again alone. Each worker keeps one working copy per file and mutates it in
place (see mutate.WorkingCopy); every case runs under a time limit (see watchdog).
"""

from __future__ import annotations

import multiprocessing
import random
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .driver import AdapterDriver, ErrorLog
from .explore import SHALLOW, Limits, explore, launch
from .known import known_reason
from .mutate import Case, WorkingCopy, random_case
from .regions import Region, core_regions, exe_regions
from .watchdog import Hang, time_limit

CASE_TIME_LIMIT = 30.0


@dataclass(frozen=True)
class Fixture:
    """A real core and the executable that made it."""

    name: str
    exe: str
    core: str


@dataclass
class CaseResult:
    case: Case
    opened: bool = False
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    requests: int = 0
    defects: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # defects reported and not fixed yet (see known.py)

    @property
    def failed(self) -> bool:
        return bool(self.defects)


class Runner:
    """Runs cases against working copies of the fixtures' files (one process)."""

    def __init__(self, fixtures: dict[str, Fixture], workdir: Path | None = None) -> None:
        self._fixtures = fixtures
        self._workdir = Path(workdir or tempfile.mkdtemp(prefix="godap-fuzz-"))
        self._copies: dict[str, WorkingCopy] = {}
        self._regions: dict[str, dict[str, Region]] = {}

    def regions(self, file: str) -> dict[str, Region]:
        """Regions of "<fixture>:exe" or "<fixture>:core", found once."""
        found = self._regions.get(file)
        if found is None:
            name, _, role = file.partition(":")
            fixture = self._fixtures[name]
            if role == "exe":
                listed = exe_regions(Path(fixture.exe))
            else:
                listed = core_regions(Path(fixture.core), Path(fixture.exe))
            found = self._regions[file] = {r.name: r for r in listed}
        return found

    def _copy(self, file: str) -> WorkingCopy:
        copy = self._copies.get(file)
        if copy is None:
            name, _, role = file.partition(":")
            fixture = self._fixtures[name]
            source = Path(fixture.exe if role == "exe" else fixture.core)
            copy = self._copies[file] = WorkingCopy(source, self._workdir / file.replace(":", "-"))
        return copy

    def random_case(self, seed: int, index: int, fixture: str) -> Case:
        rng = random.Random(seed * 1_000_003 + index)
        core = list(self.regions(f"{fixture}:core").values())
        exe = list(self.regions(f"{fixture}:exe").values())
        return random_case(rng, fixture, core, exe)

    def close(self) -> None:
        """Remove the working copies."""
        shutil.rmtree(self._workdir, ignore_errors=True)
        self._copies.clear()

    @property
    def fixture_names(self) -> list[str]:
        return sorted(self._fixtures)

    @contextmanager
    def mutated(self, case: Case) -> Iterator[tuple[Path, Path]]:
        """(program, core) paths of working copies with the case applied, restored afterwards."""
        program, core = self._copy(case.program_file), self._copy(case.core_file)
        on_core = [m for m in case.mutations if m.target == "core"]
        on_exe = [m for m in case.mutations if m.target == "exe"]
        with (
            core.mutated(on_core, self.regions(case.core_file)),
            program.mutated(on_exe, self.regions(case.program_file)),
        ):
            yield program.path, core.path

    def run(self, case: Case, limits: Limits = SHALLOW, seconds: float = CASE_TIME_LIMIT) -> CaseResult:
        result = CaseResult(case)
        start = time.monotonic()
        with self.mutated(case) as (program, core), ErrorLog() as errors:
            driver = AdapterDriver()
            try:
                with time_limit(seconds):
                    walk = launch(driver, str(program), str(core))
                    result.opened, result.message, result.warnings = walk.launched, walk.launch_message, walk.warnings
                    if walk.launched:
                        explore(driver, walk, limits)
                    result.requests = walk.requests
            except Hang as exc:
                result.defects.append(f"hang: {exc}")
            finally:
                driver.close()
        result.seconds = time.monotonic() - start
        found = driver.defects + [f"logged: {record}" for record in errors.records]
        result.defects += [d for d in found if known_reason(d) is None]
        result.known += [d for d in found if known_reason(d) is not None]
        if not result.opened and not result.message.strip():
            result.defects.append("launch failed without a message")
        return result


@dataclass(frozen=True)
class Chunk:
    fixtures: dict[str, Fixture]
    seed: int
    indices: tuple[int, ...]
    cases: tuple[Case, ...] = ()  # given cases (run first), besides the random ones by index
    limits: Limits = SHALLOW


def run_chunk(chunk: Chunk) -> list[CaseResult]:
    """One worker's share: the given cases, then random case i for each index (fixtures in turn)."""
    runner = Runner(chunk.fixtures)
    try:
        names = sorted(chunk.fixtures)
        cases = list(chunk.cases)
        mutable = [n for n in names if not n.startswith("foreign")]
        cases += [runner.random_case(chunk.seed, i, mutable[i % len(mutable)]) for i in chunk.indices]
        return [runner.run(case, chunk.limits) for case in cases]
    finally:
        runner.close()


def run_parallel(
    fixtures: dict[str, Fixture],
    seed: int,
    count: int,
    extra: Iterable[Case] = (),
    workers: int = 2,
    limits: Limits = SHALLOW,
) -> list[CaseResult]:
    """`count` random cases plus `extra` ones, over `workers` processes (spawned, not forked:
    the test process has threads)."""
    extra = list(extra)
    chunks = [
        Chunk(fixtures, seed, tuple(range(w, count, workers)), tuple(extra[w::workers]), limits) for w in range(workers)
    ]
    if workers <= 1:
        return run_chunk(chunks[0])
    timeout = CASE_TIME_LIMIT * 4 + 5.0 * (count + len(extra))  # only a process stuck in C code gets here
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        parts = pool.map_async(run_chunk, chunks).get(timeout)
    return [result for part in parts for result in part]
