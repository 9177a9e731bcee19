"""What Delve's `TestStacktraceGoroutine` and `TestFrameEvaluation` (pkg/proc/proc_test.go) expect
of the goroutines they walk, read from the test source.

Both run `goroutinestackprog` to a function breakpoint (`main.stacktraceme`). The first stop:
one goroutine's stack matches `mainStack`, at least N match one of `agoroutineStacks` (runtime
frames skipped), and evaluating `i` in each goroutine's `main.agoroutine` frame finds every value
0..N-1. The second stop (`Continue() 2`): in the stopped goroutine, frames k+1 have `n == A-k`
for k = 0..K. The facts are picked out of the tokens of the two tests (delve_tables.tokenize);
a test that no longer reads this way fails to parse, loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .delve_tables import Token, condition, fixture_of, functions, matching, tokenize

Loc = tuple[int, str]  # (line, function), Delve's `loc`


class DelveTestChanged(ValueError):
    """Delve's test source no longer has the shape this parser reads."""


@dataclass(frozen=True)
class StackWalk:
    """TestStacktraceGoroutine: at the first stop, how many goroutines match which stacks."""

    fixture: str
    breakpoint: str
    main_stack: list[Loc]
    main_count: int
    goroutine_stacks: list[list[Loc]]
    min_goroutines: int


@dataclass(frozen=True)
class FrameWalk:
    """TestFrameEvaluation: the values of `expression` in each goroutine's `function` frame at
    the first stop, and of `frame_expression` in frames `index + offset` at the second."""

    fixture: str
    breakpoint: str
    function: str
    expression: str
    values: range
    frame_expression: str
    frames: list[tuple[int, int]]  # (frame index, expected value)


def _texts(tokens: list[Token]) -> list[str]:
    return [t.text for t in tokens]


def _find(tokens: list[Token], pattern: list[str], start: int = 0) -> int:
    """The index of the first run of token texts equal to `pattern` ("" matches any token)."""
    texts = _texts(tokens)
    for i in range(start, len(texts) - len(pattern) + 1):
        if all(p == "" or p == t for p, t in zip(pattern, texts[i : i + len(pattern)], strict=False)):
            return i
    raise DelveTestChanged(f"no {' '.join(pattern)!r} in Delve's test")


def _number_after(tokens: list[Token], pattern: list[str]) -> int:
    i = _find(tokens, pattern) + len(pattern)
    if tokens[i].kind != "number":
        raise DelveTestChanged(f"{' '.join(pattern)!r} is not followed by a number")
    return int(tokens[i].text)


def _locs(tokens: list[Token]) -> list[Loc]:
    """`{{14, "main.f"}, {29, "main.main"}}` (a []loc literal's braces)."""
    out: list[Loc] = []
    for i, token in enumerate(tokens):
        if token.kind == "number" and tokens[i + 1].text == "," and tokens[i + 2].kind == "string":
            out.append((int(token.text), tokens[i + 2].text))
    return out


def _literal(body: list[Token], name: str) -> list[Token]:
    """The braces of the composite literal assigned to `name` (`name := T{...}`)."""
    start = _find(body, [name, ":="])
    brace = _find(body, ["{"], start)
    return body[brace : matching(body, brace) + 1]


def _assigned_lines(body: list[Token], name: str, version: tuple[int, ...]) -> dict[int, int]:
    """`name[k].line = N` inside `if goversion...` blocks that hold for `version`: {k: N}."""
    out: dict[int, int] = {}
    for i, token in enumerate(body):
        if token.text != "if":
            continue
        brace = _find(body, ["{"], i)
        if not condition(body[i + 1 : brace], version):
            continue
        block = body[brace : matching(body, brace) + 1]
        texts = _texts(block)
        for j in range(len(texts) - 6):
            if texts[j : j + 2] == [name, "["] and texts[j + 3 : j + 7] == ["]", ".", "line", "="]:
                out[int(texts[j + 2])] = int(texts[j + 7])
    return out


def _body(source: Path, test: str) -> tuple[list[Token], str, str]:
    found = functions(tokenize(source.read_text())).get(test)
    if found is None:
        raise DelveTestChanged(f"{source} has no {test}")
    fixture = fixture_of(found)
    breakpoint_at = _find(found, ["setFunctionBreakpoint", "(", "p", ",", "t", ","]) + 6
    if fixture is None or found[breakpoint_at].kind != "string":
        raise DelveTestChanged(f"{test} no longer runs a fixture to a function breakpoint")
    return found, fixture, found[breakpoint_at].text


def stack_walk(source: Path, version: tuple[int, ...]) -> StackWalk:
    body, fixture, breakpoint = _body(source, "TestStacktraceGoroutine")
    main = _locs(_literal(body, "mainStack"))
    for index, line in _assigned_lines(body, "mainStack", version).items():
        main[index] = (line, main[index][1])
    stacks = _literal(body, "agoroutineStacks")
    inner = [i for i in range(1, len(stacks) - 1) if stacks[i].text == "{" and stacks[i + 1].text == "{"]
    goroutine_stacks = [_locs(stacks[i : matching(stacks, i) + 1]) for i in inner]
    lenient = _number_after(body, ["lenient", ":="])  # raised on Windows only
    return StackWalk(
        fixture=fixture,
        breakpoint=breakpoint,
        main_stack=main,
        main_count=_number_after(body, ["mainCount", "!="]),
        goroutine_stacks=goroutine_stacks,
        min_goroutines=_number_after(body, ["agoroutineCount", "<"]) - lenient,
    )


def frame_walk(source: Path) -> FrameWalk:
    body, fixture, breakpoint = _body(source, "TestFrameEvaluation")
    first = _find(body, ["EvalExpression", "("]) + 2
    second_stop = _find(body, ["Continue", "(", ")", ",", "t", ",", "Continue() 2"])
    loop = _find(body, ["for", "", ":=", "", ";", "", "<="], second_stop)
    low, last = int(body[loop + 3].text), int(body[loop + 7].text)
    scope = _find(body, ["ConvertEvalScope", "(", "p", ",", "g", ".", "ID", ",", "", "+"], loop)
    expression = _find(body, ["EvalExpression", "("], scope) + 2
    expected = _find(body, ["int64", "(", "", "-", body[loop + 1].text, ")"], expression)
    base, offset = int(body[expected + 2].text), int(body[scope + 10].text)
    return FrameWalk(
        fixture=fixture,
        breakpoint=breakpoint,
        function=body[_find(body, ["Fn", ".", "Name", "=="]) + 4].text,
        expression=body[first].text,
        values=range(_number_after(body, ["make", "(", "[", "]", "bool", ","])),
        frame_expression=body[expression].text,
        frames=[(k + offset, base - k) for k in range(low, last + 1)],
    )
