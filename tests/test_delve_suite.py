"""Delve's own test suite as an oracle: its fixtures, its expectations, godap's DAP `evaluate`.

Delve's `pkg/proc/variables_test.go` states the value and type of some 400 expressions at the
first `runtime.Breakpoint()` of its `_fixtures/` programs. Here each fixture is built from Delve's
module (in the Go module cache) by the Go release under test, as Delve's tests build it
(`-gcflags=all=-N -l`), run to a core at that breakpoint, and opened in the real server; the
expectations are parsed from Delve's test source (support/delve_tables.py) and every expression is
evaluated over DAP in one session per core. The kinds of formatting difference accepted are listed
in support/delve_compare.py. Agreement is reported per release; at least TARGET of the expressions
Delve expects to succeed must agree, and every expression Delve expects to fail must fail, but
those in SPEC_OVER_DELVE, where the Go specification says otherwise. Left out, and why: TestVariableEvaluationShort and
TestMultilineVariableEvaluation (the same expressions with Delve's load limits and layout), the
tests that stop at file or function breakpoints or continue more than once (a core has one stop),
and the tables of proc_test.go (all at file breakpoints). Two tests of proc_test.go that walk the
goroutines of a stop are run on cores Delve itself dumps at their function breakpoint
(support/delve_walks.py reads what they expect).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
from support import scoreboard
from support.build import Mode
from support.cores import CoreDumpUnavailable
from support.delve import DelveUnavailable
from support.delve_compare import same_type, same_value
from support.delve_fixtures import (
    Answer,
    DelveSourceUnavailable,
    delve_source,
    evaluate_all,
    evaluate_in,
    fixture_core,
    stop_cores,
)
from support.delve_tables import Expectation, expectations
from support.delve_walks import Loc, frame_walk, stack_walk
from support.prerequisites import missing
from support.session import OpenCore, open_core
from support.stack_compare import INLINED_SUFFIX, Location, dap_locations
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


@functools.cache
def _source() -> Path:
    try:
        return delve_source()
    except DelveSourceUnavailable as exc:
        missing(str(exc))


@functools.cache
def _expectations(release: Release) -> list[Expectation]:
    return expectations(_source() / "pkg" / "proc" / "variables_test.go", release.version_tuple)


_ANSWERS: dict[tuple[str, str, Mode], dict[str, Answer]] = {}


def _answers(fixture: str, release: Release, mode: Mode, expressions: list[str]) -> dict[str, Answer]:
    """godap's answers on the fixture's core, one DAP session per core and test run: the whole
    table is evaluated once and the narrower tests read it."""
    key = (fixture, release.version, mode)
    known = _ANSWERS.setdefault(key, {})
    wanted = [e for e in expressions if e not in known]
    if wanted:
        try:
            core = fixture_core(_source(), fixture, release, mode)
        except CoreDumpUnavailable as exc:
            missing(str(exc))
        known.update(zip(wanted, evaluate_all(core, wanted), strict=True))
    return known


def _table(fixture: str, release: Release, mode: Mode) -> tuple[list[Expectation], dict[str, Answer]]:
    table = [e for e in _expectations(release) if e.fixture == fixture]
    return table, _answers(fixture, release, mode, [e.expression for e in table])


# Expressions of Delve's tables that godap once got wrong, by what they exercise: each group
# must agree in full.
FIXED = {
    "constants, typed, of any package": ("consts", r"^(bitZero|bitOne|constTwo|pkg\.SomeConst|[a-f])$"),
    "constants and variables of renamed packages": ("pkgrenames", r'^("dir[01]/pkg"|dirio)\.A$'),
    "min and max": ("testvariables2", r"^(min|max)\("),
    "conversions to and from []rune and arrays": (
        "testvariables2",
        r"^(\[\]rune|\[\]int32|\[\]byte|string)\((str1|string|bytearray|runearray)",
    ),
    "fields through an interface": ("testvariables2", r"^(iface1\.[AB]|w[34]\.I\.)"),
    "a channel's runtime fields": ("testvariables2", r"^(ch1|int3chan)\.(qcount|dataqsiz|buf)"),
    "a channel's buffer, dereferenced": ("issue4116", r"^\*\((ch|v6\.Chan)\.buf\)$"),
    "functions and methods as values": ("testvariables2", r"^(afunc|main\.afunc2|s2\[0\]\.\w+|as2\.\w+)$"),
    "pointers to empty interface and struct types": ("testvariables2", r"^\*\(\*(interface|struct) \{\}\)"),
    "the value an interface holds, Delve's x.(data)": ("testvariables2", r"\.\(data\)$"),
    "methods of the value an embedded interface holds": ("issue4116", r"^([abcd]|v4)\.X$"),
    "C variables of a C frame (cgo): char *, int * indexed and sliced, C structs": ("testvariablescgo/", r"."),
    "methods promoted before deeper fields": (
        "issue4116",
        r"^(v\.A\.Model|v[1237]\.X|v[23]\.B[23]\.X|x[23]?\.X|v9\.V\.X)$",
    ),
}


@pytest.mark.build_modes("noopt")
@pytest.mark.parametrize("topic", sorted(FIXED))
def test_expressions_once_wrong_agree_with_delve(topic: str, go_release: Release, build_mode: Mode) -> None:
    fixture, pattern = FIXED[topic]
    table, answers = _table(fixture, go_release, build_mode)
    chosen = [e for e in table if re.search(pattern, e.expression)]
    assert chosen, f"Delve's tables no longer have the {topic} expressions"
    differences = [f"{e.expression}: {d}" for e in chosen if (d := _judge(e, answers[e.expression]))]
    assert not differences, "\n".join(differences)


@pytest.mark.build_modes("opt")
def test_a_slice_whose_length_was_optimized_away_is_not_empty(go_release: Release, build_mode: Mode) -> None:
    """Optimized, `s1`, `c1.sa` and `mainMenu` keep their data pointer but not their length: an
    index must say so, never "invalid index 1 (len 0)" (a wrong answer shown as right)."""
    table = {e.expression: e for e in _expectations(go_release)}
    chosen = [table[x] for x in ("s1[1]", "c1.sa[1].B", "mainMenu[0]", "s1[2:4]")]
    answers = _answers("testvariables2", go_release, build_mode, [e.expression for e in chosen])
    for expectation in chosen:
        answer = answers[expectation.expression]
        if answer.ok:
            assert _judge(expectation, answer) is None, (expectation.expression, answer)
        else:
            assert "optimized away" in answer.text and "len 0" not in answer.text, (expectation.expression, answer)


@pytest.mark.build_modes("opt")
def test_a_method_inlined_away_is_still_the_method(go_release: Release, build_mode: Mode) -> None:
    """Optimized, `(*B1).X` and `astruct.NonPointerReceiverMethod` have no code of their own, only
    their method values' `-fm` wrappers: `v1.X` must still be the method (Delve's answer), never
    the deeper field `v1.A1.X` (a wrong answer shown as right); or say the value is gone."""
    for fixture, expression in (("issue4116", "v1.X"), ("testvariables2", "as2.NonPointerReceiverMethod")):
        table, answers = _table(fixture, go_release, build_mode)
        expectation = next(e for e in table if e.expression == expression)
        answer = answers[expression]
        if answer.ok:
            assert _judge(expectation, answer) is None, (expression, answer)
        else:
            assert "optimized away" in answer.text, (expression, answer)


@pytest.mark.build_modes("opt")
def test_generic_values_in_an_optimized_build_have_the_type_arguments(go_release: Release, build_mode: Mode) -> None:
    """Optimized, `testfn[int, float32]` keeps no `.dict`: arg1 and m must still read as int and
    map[float32]int (Delve's expectations), not go.shape.int and map[go.shape.float32]go.shape.int."""
    table, answers = _table("testvariables_generic", go_release, build_mode)
    chosen = [e for e in table if e.expression in ("arg1", "m")]
    assert len(chosen) == 2
    differences = [f"{e.expression}: {d}" for e in chosen if (d := _judge(e, answers[e.expression]))]
    assert not differences, "\n".join(differences)


@pytest.mark.build_modes("noopt")
def test_a_variable_named_like_a_console_command_is_the_variable(go_release: Release, build_mode: Mode) -> None:
    """testvariables.go has a local `up` (Delve expects 5, a uintptr): typed in the debug console
    it is the variable, `up 1` (no expression) and `dlv up` are the command, and `help` says so."""
    expected = next(e for e in _expectations(go_release) if e.fixture == "testvariables" and e.expression == "up")
    try:
        core = fixture_core(_source(), "testvariables", go_release, build_mode)
    except CoreDumpUnavailable as exc:
        missing(str(exc))
    variable, sum_, command, forced, help_ = evaluate_all(core, ["up", "up + 1", "up 1", "dlv up", "help"], "repl")
    assert _judge(expected, variable) is None, variable
    assert sum_.ok and same_value(sum_.text, "6", "uintptr").agree, sum_
    assert command.ok and command.text.startswith("Frame "), command
    assert forced.ok and forced.text.startswith("Frame ") and forced.text != command.text, forced
    assert "`dlv up`" in help_.text


@pytest.mark.build_modes("noopt")
def test_a_c_frame_lists_the_variables_its_c_source_declares(go_release: Release, build_mode: Mode) -> None:
    """testvariablescgo stops in C (`testfn` of test.c, at its BREAKPOINT): the frame has
    Locals, the pointers test.c declares before the breakpoint (not the loop's `i`, whose block
    has ended), and `s` reads as the text strcpy'd into it."""
    source = (_source() / "_fixtures" / "testvariablescgo" / "test.c").read_text()
    body = source[source.index("void testfn(void) {") : source.index("BREAKPOINT;")]
    declared = set(re.findall(r"^\t(?:const )?(?:char|int|struct \w+) \*(\w+) =", body, re.MULTILINE))
    copied = re.search(r'const char \*s0 = "([^"]*)"', body)
    assert {"s", "s0", "v", "v_align_check"} <= declared and copied is not None, declared
    try:
        core = fixture_core(_source(), "testvariablescgo/", go_release, build_mode)
    except CoreDumpUnavailable as exc:
        missing(str(exc))
    with open_core(core.exe, core.core) as session:
        frame = session.stack(session.stopped["threadId"])[0]
        assert frame["name"] == "testfn", frame
        scopes = session.client.request("scopes", {"frameId": frame["id"]})["body"]["scopes"]
        found = {scope["name"]: scope["variablesReference"] for scope in scopes}
        assert "Locals" in found, scopes
        listed = session.client.request("variables", {"variablesReference": found["Locals"]})["body"]["variables"]
    values = {v["name"]: v for v in listed}
    assert set(values) == declared, sorted(values)
    assert values["s"]["value"] == f'"{copied.group(1)}"' and values["s"]["type"] == "*char", values["s"]


@functools.cache
def _proc_test() -> Path:
    return _source() / "pkg" / "proc" / "proc_test.go"


def _stop_cores(release: Release, mode: Mode, fixture: str, breakpoint: str) -> tuple[Path, list[Path]]:
    """The cores of the two stops the walking tests see (the stack test reads the first)."""
    try:
        return stop_cores(_source(), fixture, release, mode, breakpoint, 2)
    except DelveUnavailable as exc:
        missing(str(exc))


def _real_frames(session: OpenCore, thread_id: int) -> list[dict[str, Any]]:
    """The goroutine's frames as Delve counts them (40, as its tests ask), label frames left out."""
    return [f for f in session.stack(thread_id, levels=40) if f.get("presentationHint") != "label"]


def _stack_match(expected: list[Loc], frames: list[Location], skip_runtime: bool) -> bool:
    """Delve's `stackMatch`: the expected (line, function)s are the first frames, in order
    (runtime frames skipped when asked)."""
    i = 0
    for frame in frames:
        if i == len(expected):
            break
        if skip_runtime and frame.function.startswith("runtime."):
            continue
        if (frame.line, frame.function) != expected[i]:
            return False
        i += 1
    return i == len(expected)


@pytest.mark.build_modes("noopt")
def test_the_goroutine_stacks_of_delves_stacktrace_test_are_found(go_release: Release, build_mode: Mode) -> None:
    """TestStacktraceGoroutine: at the breakpoint, one goroutine is main's stack and at least N
    are in main.agoroutine (at one of its lines), in the stacks godap shows over DAP."""
    walk = stack_walk(_proc_test(), go_release.version_tuple)
    exe, (core, _) = _stop_cores(go_release, build_mode, walk.fixture, walk.breakpoint)
    with open_core(exe, core) as session:
        stacks = {t["id"]: dap_locations(_real_frames(session, t["id"])) for t in session.threads()}
    main = [goid for goid, stack in stacks.items() if _stack_match(walk.main_stack, stack, False)]
    started = [g for g, stack in stacks.items() if any(_stack_match(e, stack, True) for e in walk.goroutine_stacks)]
    shown = "\n".join(f"{goid}: {stack[:4]}" for goid, stack in stacks.items())
    assert len(main) == walk.main_count, f"main's stack {walk.main_stack} in {main}:\n{shown}"
    assert len(started) >= walk.min_goroutines, f"{walk.goroutine_stacks} in {started}:\n{shown}"


@pytest.mark.build_modes("noopt")
def test_the_frames_of_delves_frame_evaluation_test_have_their_variables(go_release: Release, build_mode: Mode) -> None:
    """TestFrameEvaluation: at the first stop, `i` in each goroutine's main.agoroutine frame
    takes every value 0..N-1; at the second, `n` in frames 1..4 of the stopped goroutine is
    3, 2, 1, 0 (the recursion func1 → func3 of goroutinestackprog)."""
    walk = frame_walk(_proc_test())
    exe, (first, second) = _stop_cores(go_release, build_mode, walk.fixture, walk.breakpoint)
    answers: dict[int, Answer] = {}
    with open_core(exe, first) as session:
        for thread in session.threads():
            frames = _real_frames(session, thread["id"])
            frame = next((f for f in frames if f["name"].removesuffix(INLINED_SUFFIX) == walk.function), None)
            if frame is not None:
                answers[thread["id"]] = evaluate_in(session, frame["id"], walk.expression)
    found = {int(a.text) for a in answers.values() if a.ok and a.text.isdigit()}
    assert set(walk.values) <= found, f"{walk.expression} in {walk.function} frames: {answers}"
    with open_core(exe, second) as session:
        frames = _real_frames(session, session.stopped["threadId"])
        assert frames[0]["name"] == walk.breakpoint, frames[0]
        for index, expected in walk.frames:
            answer = evaluate_in(session, frames[index]["id"], walk.frame_expression)
            where = f"{walk.frame_expression} in frame {index} ({frames[index]['name']})"
            assert answer.ok and same_value(answer.text, str(expected), "int").agree, f"{where}: {answer}"


@pytest.mark.build_modes("noopt")
def test_godap_agrees_with_delves_variable_tests(go_release: Release, build_mode: Mode) -> None:
    wanted = _expectations(go_release)
    agree, judged, wrong_successes, differences, per_fixture = 0, 0, [], [], []
    for fixture in sorted({e.fixture for e in wanted}):
        table, answers = _table(fixture, go_release, build_mode)
        fixture_agree, fixture_judged = agree, judged
        for expectation in table:
            answer = answers[expectation.expression]
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
        per_fixture.append(f"  {fixture:24} {agree - fixture_agree}/{judged - fixture_judged}")
    rate = agree / judged if judged else 1.0
    scoreboard.rate("Delve's variables_test.go", f"{go_release.minor} {build_mode}", agree, judged)
    errors = len(wanted) - judged
    print(f"\n{go_release} {build_mode}: {agree}/{judged} agree ({rate:.2%}), {errors} expected errors fail")
    print("\n".join([*per_fixture, *differences, *wrong_successes]))
    assert not wrong_successes, "\n".join(wrong_successes)
    assert rate >= TARGET, f"{rate:.2%} < {TARGET:.0%}:\n" + "\n".join(differences)
