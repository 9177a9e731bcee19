"""The regression corpus (tests/fuzz-corpus/): every input that ever broke the server, replayed in
every test run. Protocol scripts go through the real session loop and adapter with the zoo core
open; core cases are mutated again from their region names and walked as the fuzz run walks them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fuzz.campaign import Fixture, Runner
from support.fuzz.corpus import core_entries, protocol_entries, script_from_json
from support.fuzz.fixtures import all_fixtures, go_fixture
from support.fuzz.mutate import Case
from support.fuzz.wire import run_script, shared_launch

from dap_server.adapter import GoAdapter


@pytest.fixture(scope="module")
def zoo() -> Iterator[Fixture]:
    fixture = go_fixture("zoo")
    with shared_launch(fixture.exe, fixture.core):
        yield fixture


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    runner = Runner(all_fixtures())
    yield runner
    runner.close()


@pytest.mark.parametrize("entry", protocol_entries(), ids=lambda p: p.stem)
def test_protocol_corpus(zoo: Fixture, entry: Path) -> None:
    script = script_from_json(entry.read_text(), (zoo.exe, zoo.core))
    outcome = run_script(GoAdapter, script)
    assert not outcome.problems, "\n".join(outcome.problems[:10])


@pytest.mark.parametrize("entry", core_entries(), ids=lambda p: p.stem)
def test_core_corpus(runner: Runner, entry: Path) -> None:
    case = Case.from_json(entry.read_text())
    result = runner.run(case)
    assert not result.failed, f"{case.describe()}:\n" + "\n".join(result.defects[:10])
    assert result.opened or result.message, case.describe()


def test_the_corpus_is_not_empty() -> None:
    assert protocol_entries() and core_entries()
