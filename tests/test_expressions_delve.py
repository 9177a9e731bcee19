"""The expression table of test_expressions.py evaluated by Delve too (`print`, `whatis`, in the
same goroutine and frame): where Delve answers, it must agree.

Known differences (Delve 1.27.2), not counted:
* untyped constants: Delve's `whatis` prints nothing; we say `untyped int` and so on;
* `s[i]` of a string: Delve's type is `byte`, ours `uint8` (the same type);
* types only described by runtime type descriptors (`*main.Circle`): Delve cannot assert to them;
* invalid expressions: Delve's messages differ ("index out of bounds"); only failing is compared.

Disagreements that remain (and count), where we follow the Go specification:
* `^gUint8` (gUint8 = 200): Go gives 55; Delve -201 (it complements as a signed number);
* `gInt8 + 300`: Go refuses (constant 300 overflows int8); Delve wraps to 36;
* `1 << 100000`: Go refuses the constant; Delve computes a 30,000-digit number.
"""

from __future__ import annotations

import pytest
from conftest import RunDelve
from test_expressions import INVALID, VALID
from test_values_delve import _same, _theirs
from test_values_support import ValuesCore, values_core

from dap_server.goruntime.expr.evaluate import evaluate
from dap_server.goruntime.expr.evaluate_scope import ExpressionScope
from dap_server.goruntime.expr.evaluate_values import ConstValue, operand
from dap_server.goruntime.values.base import Value
from dap_server.goruntime.values.format import quote
from dap_server.goruntime.values.scalars import ScalarValue, StringValue

__all__ = ["values_core"]

TARGET = 0.95
_SAME_TYPES = {("uint8", "byte"), ("int32", "rune")}


def _leaf(value: Value) -> bool | int | float | complex | str | None:
    if not isinstance(value, ScalarValue | StringValue | ConstValue) or value.unreadable is not None:
        return None
    data = operand(value).data
    return quote(data) if isinstance(data, bytes) else data


def test_expressions_agree_with_delve(values_core: ValuesCore, run_delve: RunDelve) -> None:
    g = values_core.goroutines_of("holdComposite")[0]
    frames = values_core.session.frames(g)
    index = next(i for i, f in enumerate(frames) if f.function == "main.holdComposite")
    scope = ExpressionScope(values_core.process, frames[index])
    prefix = f"goroutine {g.goid} frame {index}"
    commands = [f"{prefix} print {e}" for e, _, _ in VALID] + [f"{prefix} whatis {e}" for e, _, _ in VALID]
    commands += [f"{prefix} print {e}" for e, _ in INVALID]
    results = run_delve(values_core.core.exe, values_core.core.core, commands)
    prints, whatis, invalid = results[: len(VALID)], results[len(VALID) : 2 * len(VALID)], results[2 * len(VALID) :]
    agree, differ, unanswered = 0, [], 0
    for (expression, _, _), printed, typed in zip(VALID, prints, whatis, strict=True):
        value = evaluate(scope, expression)
        ours, theirs = _leaf(value), _theirs(printed)
        if ours is not None and theirs is not None:
            if _same(ours, theirs):
                agree += 1
            else:
                differ.append(f"print {expression}: godap {value.summary}, delve {printed.output.strip()}")
        else:
            unanswered += 1
        their_type = typed.output.strip().splitlines()[0] if typed.output.strip() and typed.error is None else ""
        if not their_type or value.type_name.startswith("untyped") or value.type_name == "nil":
            continue
        if their_type == value.type_name or (value.type_name, their_type) in _SAME_TYPES:
            agree += 1
        else:
            differ.append(f"whatis {expression}: godap {value.type_name}, delve {their_type}")
    for (expression, _), result in zip(INVALID, invalid, strict=True):
        if result.error is not None:
            agree += 1
        elif result.output.strip():
            differ.append(f"print {expression}: godap fails, delve {result.output.strip()[:80]}")
    total = agree + len(differ)
    rate = agree / total if total else 1.0
    print(f"\n{values_core.release.version} {values_core.mode.value}: {agree}/{total} agree ({rate:.2%})")
    for line in differ:
        print("  DIFF", line)
    if total < 60:
        pytest.skip(f"Delve answered only {total} of the expressions")
    assert rate >= TARGET, "\n".join(differ)
