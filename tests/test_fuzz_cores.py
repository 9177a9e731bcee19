"""Hostile cores and executables (issue 7): real fixture cores and executables mutated where our own
readers say the structures are (notes, program headers, pclntab, DWARF, symbols, allgs, g and m
records, stacks), cut at every structural boundary, swapped, of another Go release, not Go, not
64-bit little-endian x86. Every launch either opens (with warnings naming the damage where it can
be seen) or fails with a clear message, every request afterwards gets a schema-valid answer, and
no case hangs.

Cases run in-process through the real adapter (support/fuzz/campaign.py), spread over two worker
processes. `GODAP_FUZZ_SCALE` multiplies the number of random cases, `GODAP_FUZZ_SEED` picks them.
A failing case is saved to tests/fuzz-corpus/cores/, which test_fuzz_corpus.py replays every run.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from support.fuzz.campaign import CaseResult, Fixture, Runner, run_parallel
from support.fuzz.corpus import save_case
from support.fuzz.fixtures import all_fixtures
from support.fuzz.mutate import Case
from support.fuzz.scale import scaled, seed
from support.fuzz.structural import all_structural

MUTATED_CORES = scaled(1_000)
WORKERS = max(1, min(2, os.cpu_count() or 1))
BOUNDARIES = "zoo"  # the fixture cut at every structural boundary


@pytest.fixture(scope="module")
def fixtures() -> dict[str, Fixture]:
    return all_fixtures()


@pytest.fixture(scope="module")
def results(fixtures: dict[str, Fixture]) -> list[CaseResult]:
    runner = Runner(fixtures)  # only for the regions the structural cases name
    go = sorted(name for name in fixtures if not name.startswith("foreign"))
    foreign = sorted(name for name in fixtures if name.startswith("foreign"))
    structural = all_structural(go, foreign, runner.regions, BOUNDARIES)
    runner.close()
    mutated = sum(1 for case in structural if case.mutations)
    start = time.monotonic()
    found = run_parallel(fixtures, seed(), max(0, MUTATED_CORES - mutated), structural, workers=WORKERS)
    elapsed = time.monotonic() - start
    outcomes = Counter("opened" if r.opened else "refused" for r in found)
    slowest = max(found, key=lambda r: r.seconds)
    known = [r for r in found if r.known]
    if known:
        print(f"\nknown open defects (support/fuzz/known.py) in {len(known)} case(s), e.g. {known[0].known[0][:200]}")
    print(
        f"\ncore fuzz: {len(found)} cases ({sum(1 for r in found if r.case.mutations)} mutated cores), "
        f"{dict(outcomes)}, {sum(r.requests for r in found)} requests, {elapsed:.1f} s on {WORKERS} workers; "
        f"slowest {slowest.seconds:.2f} s: {slowest.case.describe()}"
    )
    return found


def test_enough_mutated_cores(results: list[CaseResult]) -> None:
    assert sum(1 for r in results if r.case.mutations) >= MUTATED_CORES


def test_no_case_crashes_hangs_or_answers_outside_the_schema(results: list[CaseResult]) -> None:
    failed = [r for r in results if r.failed]
    report = [f"{save_case(r.case).name}: {r.case.describe()}\n    " + "\n    ".join(r.defects[:4]) for r in failed]
    assert not failed, f"{len(failed)} failing case(s), saved to the corpus:\n" + "\n".join(report[:20])


def test_refused_launches_say_why(results: list[CaseResult]) -> None:
    vague = [r for r in results if not r.opened and len(r.message) < 20]
    assert not vague, [(r.case.describe(), r.message) for r in vague[:10]]


def _by_note(results: list[CaseResult], prefix: str) -> list[CaseResult]:
    chosen = [r for r in results if r.case.note.startswith(prefix)]
    assert chosen, f"no case about {prefix!r}"
    return chosen


def test_unmutated_fixtures_open_without_warnings_and_c_is_refused(results: list[CaseResult]) -> None:
    for r in _by_note(results, "unmutated"):
        if r.case.fixture.startswith("foreign"):
            assert not r.opened and "not a Go program" in r.message, r.message
        else:
            assert r.opened and not r.warnings, (r.case.fixture, r.message, r.warnings)


def test_swapped_or_foreign_files_are_refused(results: list[CaseResult], fixtures: dict[str, Fixture]) -> None:
    def same_build(case: Case) -> bool:  # zoo, blocked and nested are one executable run three ways
        return fixtures[case.program_file.split(":")[0]].exe == fixtures[case.fixture].exe

    for prefix in ("executable of another", "core and executable swapped", "the core as", "the executable as"):
        for r in _by_note(results, prefix):
            assert r.opened is (prefix.startswith("executable of") and same_build(r.case)), (
                f"{r.case.describe()}: {r.message or r.warnings}"
            )


IDENTITY_WORDS = {
    "a 32-bit ELF": "32-bit",
    "a big-endian ELF": "big-endian",
    "an arm64 ELF": "arm64",
    "an x86 (32-bit) ELF": "x86 (32-bit)",
    "not an ELF": "not an ELF",
}


def test_elf_files_godap_cannot_read_are_named_as_such(results: list[CaseResult]) -> None:
    for what in ("core is", "exe is"):
        for r in _by_note(results, what):
            word = next(w for note, w in IDENTITY_WORDS.items() if note in r.case.note)
            assert not r.opened and word in r.message, (r.case.note, r.message)


def test_truncated_cores_open_with_a_warning_or_are_refused(results: list[CaseResult]) -> None:
    for r in _by_note(results, "truncated core"):
        if r.opened:
            assert any("truncated" in w for w in r.warnings), (r.case.describe(), r.warnings)


RUNTIME_WARNINGS = {
    "allgs points into unmapped memory": "not mapped",
    "allgs is nil": "not mapped",
    "allgs claims 2^40": "claims",
    "allgs points at itself": "not goroutines",
    "allm points into unmapped memory": "runtime.allm",
    "allgs entries are nil": "nil",
}


def test_damaged_runtime_lists_open_with_a_warning(results: list[CaseResult]) -> None:
    for note, word in RUNTIME_WARNINGS.items():
        for r in _by_note(results, note):
            assert r.opened and any(word in w for w in r.warnings), (r.case.describe(), r.message, r.warnings)
