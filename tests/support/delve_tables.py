"""The expectation tables of Delve's `pkg/proc/variables_test.go`, read from its source.

Delve states what an expression evaluates to at a fixture's first `runtime.Breakpoint()` as
`varTest` composite literals, `{name, preserveName, value, alternate, varType, err}`. This module
tokenizes the Go source, finds those literals in each test function (and in the helpers a test
calls), keeps the ones of the Go release at hand (`if goversion.VersionAfterOrEqual(...)` blocks)
and names the fixture the test runs (`withTestProcess("fixture", ...)`). Tests that stop anywhere
but at the first `runtime.Breakpoint()` (file or function breakpoints, several continues) are left
out, except that a table of several stops keeps only the first entry of each expression: the stops
are listed in order and the core is taken at the first; so are the blocks that rebuild a fixture
with another GOEXPERIMENT.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(
    r"""(?P<space>\s+|//[^\n]*|/\*.*?\*/)
      | (?P<raw>`[^`]*`)
      | (?P<string>"(?:[^"\\\n]|\\.)*")
      | (?P<rune>'(?:[^'\\\n]|\\.)*')
      | (?P<number>\d[\w.]*)
      | (?P<ident>[A-Za-z_]\w*)
      | (?P<punct>&&|\|\||[-+*/%&|^<>=!:]=?|[{}()\[\],;.~])""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"', "'": "'"}
_BREAKPOINT_CALLS = ("setFileBreakpoint", "setFunctionBreakpoint", "withTestProcessArgs")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # a string literal's value, decoded


@dataclass(frozen=True)
class Expectation:
    """What Delve's `test` expects of `expression` on `fixture`: `error` None means success."""

    test: str
    fixture: str
    expression: str
    value: str
    type: str
    error: str | None


def _unquote(literal: str) -> str:
    if literal.startswith("`"):
        return literal[1:-1]
    body, out, i = literal[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        e = body[i + 1]
        if e in _ESCAPES:
            out += _ESCAPES[e].encode()
            i += 2
        elif e == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif e in "uU":
            width = 4 if e == "u" else 8
            out += chr(int(body[i + 2 : i + 2 + width], 16)).encode()
            i += 2 + width
        else:  # octal \NNN
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
    return out.decode(errors="surrogateescape")


def tokenize(source: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise ValueError(f"cannot tokenize Go source at {source[position : position + 40]!r}")
        position = match.end()
        kind = match.lastgroup or ""
        if kind == "space":
            continue
        text = match.group()
        if kind in ("raw", "string"):
            kind, text = "string", _unquote(text)
        tokens.append(Token(kind, text))
    return tokens


def functions(tokens: list[Token]) -> dict[str, list[Token]]:
    """Top-level functions: name -> the tokens of the body, braces included."""
    found: dict[str, list[Token]] = {}
    i = 0
    while i < len(tokens):
        if tokens[i].text == "func" and tokens[i + 1].kind == "ident":
            start = i + 2
            while tokens[start].text != "{":  # the body opens at the first brace after the signature
                start += 1
            end = matching(tokens, start)
            found[tokens[i + 1].text] = tokens[start : end + 1]
            i = end
        i += 1
    return found


def matching(tokens: list[Token], start: int) -> int:
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = []
    for i in range(start, len(tokens)):
        text = tokens[i].text if tokens[i].kind == "punct" else ""
        if text in pairs:
            stack.append(pairs[text])
        elif stack and text == stack[-1]:
            stack.pop()
            if not stack:
                return i
    raise ValueError("unbalanced Go source")


_VERSION_CHECK = ("goversion", ".", "VersionAfterOrEqual")


def condition(tokens: list[Token], version: tuple[int, ...]) -> bool | None:
    """The value of an `if` condition that checks the Go release, None for any other condition."""
    texts = [t.text for t in tokens]
    negated = texts[:1] == ["!"]
    texts = texts[1:] if negated else texts
    if texts[:3] not in (list(_VERSION_CHECK), [*_VERSION_CHECK[:2], "VersionAfterOrEqualRev"]):
        return None
    if "&&" in texts or "||" in texts:
        return None
    numbers = [int(t.text) for t in tokens if t.kind == "number"]
    wanted = (*numbers, 0, 0, 0)[:3]
    return (version >= wanted) != negated


def _entries(body: list[Token], version: tuple[int, ...]) -> Iterator[list[Token]]:
    """The positional six-element `{...}` literals of `body` that apply to `version`."""
    skipped: list[tuple[int, int]] = []  # the blocks whose condition is false for this release
    i = 0
    while i < len(body):
        if body[i].text == "if":
            brace = i + 1
            while body[brace].text != "{":
                brace += 1
            end = matching(body, brace)
            holds = condition(body[i + 1 : brace], version)
            if holds is False or _other_build(body[brace:end]):
                skipped.append((brace, end))
            if holds and body[end + 1].text == "else":
                skipped.append((end + 1, matching(body, end + 2) if body[end + 2].text == "{" else end + 1))
            i = brace + 1
            continue
        if body[i].text == "{" and not any(start <= i <= stop for start, stop in skipped):
            end = matching(body, i)
            items = _split(body[i + 1 : end])
            positional = len(items) == 6 and len(items[0]) == 1 and items[0][0].kind == "string"
            if positional and items[1][0].text in ("true", "false"):
                yield body[i + 1 : end]
                i = end + 1
                continue
        i += 1


def _other_build(block: list[Token]) -> bool:
    """A block that rebuilds the fixture with another GOEXPERIMENT (classic maps, say): its
    expectations are about that build, not the default one a core is taken of."""
    return any(t.text == "Setenv" for t in block) and any(t.text == "GOEXPERIMENT" for t in block)


def _split(tokens: list[Token]) -> list[list[Token]]:
    items: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "punct" and token.text in "([{":
            depth += 1
        elif token.kind == "punct" and token.text in ")]}":
            depth -= 1
        if depth == 0 and token.text == "," and token.kind == "punct":
            items.append([])
        else:
            items[-1].append(token)
    return [item for item in items if item]


def _error(tokens: list[Token]) -> str | None:
    if [t.text for t in tokens] == ["nil"]:
        return None
    return " | ".join(t.text for t in tokens if t.kind == "string") or "*"


def fixture_of(body: list[Token]) -> str | None:
    for i, token in enumerate(body):
        if token.text == "withTestProcess" and body[i + 1].text == "(" and body[i + 2].kind == "string":
            return body[i + 2].text
    return None


def _one_stop(body: list[Token]) -> bool:
    """The test stops only at the first `runtime.Breakpoint()` before it evaluates."""
    names = [t.text for t in body if t.kind == "ident"]
    return not any(call in names for call in _BREAKPOINT_CALLS) and names.count("Continue") == 1


def expectations(source: Path, version: tuple[int, ...]) -> list[Expectation]:
    """Every expectation of `variables_test.go` at ``source`` for Go ``version``, one per
    (fixture, expression): the first table that names an expression states it."""
    tests = functions(tokenize(source.read_text()))
    found: dict[tuple[str, str], Expectation] = {}
    for name, body in tests.items():
        fixture = fixture_of(body)
        if not name.startswith("Test") or fixture is None or not _one_stop(body):
            continue
        called = [tests[t.text] for t in body if t.kind == "ident" and t.text in tests and t.text != name]
        for table in [body, *called]:
            for entry in _entries(table, version):
                items = _split(entry)
                expression = items[0][0].text
                value = "".join(t.text for t in items[2] if t.kind == "string")
                typ = "".join(t.text for t in items[4] if t.kind == "string")
                key = (fixture, expression)
                if key not in found:
                    found[key] = Expectation(name, fixture, expression, value, typ, _error(items[5]))
    return list(found.values())
