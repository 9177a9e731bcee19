"""Malformed and hostile expressions: errors with a column, never exceptions, never hangs, and
schema-valid error responses over the protocol."""

from __future__ import annotations

import time

import pytest
from conftest import MakeCore
from support.build import Mode
from support.cores import Trigger
from support.session import open_core
from support.toolchains import Release
from test_values_support import ValuesCore, values_core

from dap_server.goruntime.expr.errors import ExpressionError
from dap_server.goruntime.expr.evaluate import evaluate
from dap_server.goruntime.expr.evaluate_scope import ExpressionScope

__all__ = ["values_core"]

SECONDS = 2.0
HOSTILE = [
    "(" * 10_000 + "1" + ")" * 10_000,
    "-" * 10_000 + "1",
    "*" * 5_000 + "gPtr",
    "gSlice" + "[0]" * 10_000,
    "gDerived" + ".Base" * 10_000,
    "1" + "+1" * 10_000,
    "9" * 100_000,
    "1" * 5_000,
    "0x" + "f" * 20_000,
    '"' + "a" * 70_000 + '"',
    "(((",
    ")))",
    "gMap[[",
    "gSlice[1:2:]",
    "x.(type)",
    "'ab'",
    '"\\q"',
    "1e99999",
    "1.5 << 2.5",
    "gInt = 3",
    "gInt++",
    "<-gBufChan",
    "func() {}",
    "\x00",
    "ℤ + 1",
    "",
    "   ",
    "[]int{1, 2}",
    "map[string]int{}",
    "gAnyInt.(" + "*" * 300 + "int)",
    "2 << 4000 << 4000",
]


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_expression_fails_cleanly(values_core: ValuesCore, text: str) -> None:
    scope = ExpressionScope(values_core.process, values_core.frame("holdComposite"))
    started = time.monotonic()
    try:
        evaluate(scope, text)
    except ExpressionError as exc:
        assert exc.message
    assert time.monotonic() - started < SECONDS


@pytest.mark.go_releases("local")
def test_hostile_expressions_over_the_protocol(make_core: MakeCore, go_release: Release) -> None:
    core = make_core("values", [], go_release, Mode.OPT, trigger=Trigger.SIGABRT)
    with open_core(core.exe, core.core) as session:
        for context in ("watch", "hover", "repl", "clipboard", "variables"):
            for text in HOSTILE[:12]:
                response = session.client.request("evaluate", {"expression": text, "context": context})
                assert not response["success"] or response["body"]["result"] is not None
        completions = session.client.request("completions", {"text": "(" * 10_000, "column": 10_001})
        assert completions["success"]
