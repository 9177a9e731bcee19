"""Delve's own test suite as an oracle: its fixtures, its expectations, godap's DAP `evaluate`.

Delve's `pkg/proc/variables_test.go` states the value and type of some 400 expressions at the
first `runtime.Breakpoint()` of its `_fixtures/` programs. Here each fixture is built from Delve's
module (in the Go module cache) by the Go release under test, as Delve's tests build it
(`-gcflags=all=-N -l`), run to a core at that breakpoint, and opened in the real server; the
expectations are parsed from Delve's test source (support/delve_tables.py) and every expression is
evaluated over DAP in one session per core. The kinds of formatting difference accepted are listed
in support/delve_compare.py. Agreement is reported per release; at least TARGET of the expressions
Delve expects to succeed must agree, and every expression Delve expects to fail must fail, but
those in SPEC_OVER_DELVE, where the Go specification says otherwise.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from support import scoreboard
from support.build import Mode
from support.cores import CoreDumpUnavailable
from support.delve_compare import same_type, same_value
from support.delve_fixtures import Answer, DelveSourceUnavailable, delve_source, evaluate_all, fixture_core
from support.delve_tables import Expectation, expectations
from support.prerequisites import missing
from support.toolchains import Release

TARGET = 0.99

# Delve's test expects an error where Go accepts the expression; godap follows the specification.
SPEC_OVER_DELVE = {
    "ch1 == chnil": "channel values are comparable in Go (equal if made by the same make, or both nil)",
}


def _judge(expectation: Expectation, answer: Answer) -> str | None:
    """None if godap's answer agrees, else what differs."""
    if expectation.error is not None:
        if answer.ok and expectation.expression not in SPEC_OVER_DELVE:
            return f"Delve fails ({expectation.error}), godap {answer.text[:100]!r}"
        return None
    if not answer.ok:
        return f"godap fails: {answer.text[:120]}"
    value = same_value(answer.text, expectation.value, expectation.type)
    if not value.agree:
        return f"godap {answer.text[:100]!r}, Delve {expectation.value[:100]!r} ({value.why[:160]})"
    if not same_type(answer.type, expectation.type):
        return f"godap type {answer.type!r}, Delve {expectation.type!r}"
    return None


@pytest.mark.build_modes("noopt")
def test_godap_agrees_with_delves_variable_tests(go_release: Release, build_mode: Mode) -> None:
    try:
        source = delve_source()
    except DelveSourceUnavailable as exc:
        missing(str(exc))
    wanted = expectations(source / "pkg" / "proc" / "variables_test.go", go_release.version_tuple)
    by_fixture: dict[str, list[Expectation]] = defaultdict(list)
    for expectation in wanted:
        by_fixture[expectation.fixture].append(expectation)
    agree, judged, wrong_successes, differences = 0, 0, [], []
    for fixture, table in sorted(by_fixture.items()):
        try:
            core = fixture_core(source, fixture, go_release, build_mode)
        except CoreDumpUnavailable as exc:
            missing(str(exc))
        answers = evaluate_all(core, [e.expression for e in table])
        for expectation, answer in zip(table, answers, strict=True):
            difference = _judge(expectation, answer)
            where = f"{fixture} {expectation.expression!r} ({expectation.test})"
            if expectation.error is not None:
                if difference:
                    wrong_successes.append(f"{where}: {difference}")
                continue
            judged += 1
            if difference is None:
                agree += 1
            else:
                differences.append(f"{where}: {difference}")
    rate = agree / judged if judged else 1.0
    scoreboard.rate("Delve's variables_test.go", f"{go_release.minor} {build_mode}", agree, judged)
    print(f"\n{go_release} {build_mode}: {agree}/{judged} agree ({rate:.2%}), {len(wanted) - judged} expected errors")
    print("\n".join([*differences, *wrong_successes]))
    assert not wrong_successes, "\n".join(wrong_successes)
    assert rate >= TARGET, f"{rate:.2%} < {TARGET:.0%}:\n" + "\n".join(differences)
