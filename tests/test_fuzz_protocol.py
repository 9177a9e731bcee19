"""Hostile clients (issue 7): whatever bytes arrive, the real server answers every request it can
identify with a schema-valid response, closes cleanly (saying why) on bytes it cannot frame, and
never dies, hangs or reports an internal error.

Each script goes through the real session loop and the real GoAdapter with a real core open
(support/fuzz/wire.py). Scripts come from hypothesis (which shrinks a failure) and, for the bulk,
from a seeded generator with the same vocabulary (ten times faster to draw). The run counts
protocol cases (frames and endings sent): at least 10,000 × GODAP_FUZZ_SCALE. A failing script is
saved to tests/fuzz-corpus/protocol/, which test_fuzz_corpus.py replays in every run.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fuzz.campaign import Fixture
from support.fuzz.corpus import save_script
from support.fuzz.fixtures import go_fixture
from support.fuzz.protocol import GOOD_HEADERS, Item, Script, random_script, scripts
from support.fuzz.scale import scaled, seed
from support.fuzz.wire import Outcome, run_script, shared_launch

from dap_server.adapter import GoAdapter
from dap_server.dap import EndReason

PROTOCOL_CASES = scaled(10_000)
HYPOTHESIS_SCRIPTS = scaled(120)
RAW_CASES = scaled(500)


@pytest.fixture(scope="module")
def zoo() -> Iterator[Fixture]:
    fixture = go_fixture("zoo")
    with shared_launch(fixture.exe, fixture.core):
        yield fixture


def _fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


def _report(outcome: Outcome, script: Script, zoo: Fixture, what: str) -> str:
    saved = save_script(script, (zoo.exe, zoo.core), f"{what}: {outcome.problems[0][:300]}")
    return f"{what} (saved to {saved}):\n" + "\n".join(outcome.problems[:10])


def test_hostile_scripts_never_kill_the_server(zoo: Fixture) -> None:
    """The bulk: seeded scripts until there are enough protocol cases."""
    rng = random.Random(seed())
    cases = scripts_run = 0
    start = time.monotonic()
    while cases < PROTOCOL_CASES:
        script = random_script(rng, (zoo.exe, zoo.core))
        outcome = run_script(GoAdapter, script)
        assert not outcome.problems, _report(outcome, script, zoo, f"seeded script {scripts_run} (seed {seed()})")
        cases += script.cases
        scripts_run += 1
    print(f"protocol fuzz: {cases} cases in {scripts_run} scripts, {time.monotonic() - start:.1f} s")


@_fuzz(HYPOTHESIS_SCRIPTS)
@given(data=st.data())
def test_hypothesis_scripts_never_kill_the_server(zoo: Fixture, data: st.DataObject) -> None:
    script = data.draw(scripts((zoo.exe, zoo.core)))
    outcome = run_script(GoAdapter, script)
    assert not outcome.problems, _report(outcome, script, zoo, "hypothesis script")


@_fuzz(RAW_CASES)
@given(data=st.binary(max_size=400) | st.lists(st.sampled_from(GOOD_HEADERS) | st.binary(max_size=30)).map(b"".join))
def test_random_bytes_close_the_session_with_a_reason(zoo: Fixture, data: bytes) -> None:
    script = Script(ending=data)
    outcome = run_script(GoAdapter, script)
    assert not outcome.problems, _report(outcome, script, zoo, "random bytes")
    assert outcome.end in (EndReason.END_OF_INPUT, EndReason.FRAMING_ERROR)
    if outcome.end is EndReason.FRAMING_ERROR:
        said = [m["body"]["output"] for m in outcome.messages if m.get("event") == "output"]
        assert any("closing the session" in text for text in said), said


def _editor_script(zoo: Fixture, *requests: tuple[str, dict[str, object]]) -> Script:
    script = Script()
    for seq, (command, arguments) in enumerate(requests, start=1):
        body = json.dumps({"seq": seq, "type": "request", "command": command, "arguments": arguments}).encode()
        script.items.append(Item(body, GOOD_HEADERS[0]))
    return script


@pytest.mark.parametrize("cut", [0, 1, 40, 200, 2000])
def test_a_client_that_vanishes_mid_session_ends_it_quietly(zoo: Fixture, cut: int) -> None:
    """Writes start failing after `cut` bytes: the loop ends with CONNECTION_LOST, nothing raises."""
    script = _editor_script(
        zoo,
        ("initialize", {"adapterID": "fuzz"}),
        ("launch", {"program": zoo.exe, "coreFilePath": zoo.core}),
        ("threads", {}),
        ("stackTrace", {"threadId": 1}),
    )
    outcome = run_script(GoAdapter, script, cut_output_after=cut)
    assert not outcome.problems, outcome.problems
    assert outcome.end in (EndReason.CONNECTION_LOST, EndReason.END_OF_INPUT)


def test_requests_before_launch_duplicate_launch_and_cancel_storms(zoo: Fixture) -> None:
    launch = {"program": zoo.exe, "coreFilePath": zoo.core}
    before = [
        (command, {"threadId": 1, "frameId": 1, "variablesReference": 1})
        for command in (
            "threads",
            "stackTrace",
            "scopes",
            "variables",
            "exceptionInfo",
            "configurationDone",
            "readMemory",
        )
    ]
    # Cancels of requests that are long answered, never sent, or progress that never was.
    storm = [("cancel", {"requestId": n, "progressId": f"{n}.1"}) for n in range(1000, 1060)]
    script = _editor_script(
        zoo, *before, ("initialize", {}), ("launch", launch), *storm, ("launch", launch), ("threads", {})
    )
    outcome = run_script(GoAdapter, script)
    assert not outcome.problems, outcome.problems
    responses = {m["request_seq"]: m for m in outcome.messages if m.get("type") == "response"}
    for seq, (command, _) in enumerate(before, start=1):
        assert responses[seq]["success"] is (command == "threads"), responses[seq]
    second_launch = len(before) + 2 + len(storm) + 1
    assert responses[second_launch]["success"] is False
    assert "already has a debuggee" in responses[second_launch]["message"]
    assert responses[second_launch + 1]["success"] is True
