"""Our values against Delve's, leaf by leaf, on the same cores.

Every scalar or string leaf we can reach (frames of the holder goroutines, and package globals,
three levels down) that has a Go expression is printed by Delve with `print <expression>` in the
same goroutine and frame. Agreement must be at least 99% of the leaves Delve can read, counting a
leaf Delve reads and we call optimized away as a disagreement.

Known differences above the leaves (Delve 1.27.2), not counted here:
* types that only exist as runtime descriptors (`*main.Circle`, and `main.Rect` in 1.27): Delve
  says "could not resolve interface type" / "no type entry found"; we describe them from the
  descriptor. We are right (the values match the program's).
* `time.Time` with a fixed zone (`gZoneTime`, CET = UTC+1): Delve prints 13:00+02:00, in the
  machine's zone rules; we print 12:00+01:00 CET as Go's Time.String does. We are right.
* unnamed results (`~r0`): Delve cannot evaluate the name; we show the slot (0 until assigned).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from conftest import RunDelve
from support import delve
from test_values_support import OPTIMIZED_AWAY, ValuesCore, values_core, walk

from dap_server.goruntime import variables
from dap_server.goruntime.values.base import Value
from dap_server.goruntime.values.format import quote
from dap_server.goruntime.values.scalars import ScalarValue, StringValue

__all__ = ["values_core"]

TARGET = 0.99

Leaf = bool | int | float | complex | str


@dataclass
class Comparison:
    agree: int = 0
    disagree: list[str] = field(default_factory=list)
    we_miss: list[str] = field(default_factory=list)  # Delve reads it, we say optimized away
    delve_misses: list[str] = field(default_factory=list)  # we read it, Delve cannot
    # A string whose length the compiler did not keep: Delve reads the missing piece as 0 (`""`).
    delve_zero_length: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        judged = self.agree + len(self.disagree) + len(self.we_miss)
        return self.agree / judged if judged else 1.0


def _ours(value: Value) -> Leaf | None:
    """The leaf's value, or None when we report it unavailable."""
    if value.unreadable is not None:
        return None
    if isinstance(value, StringValue):
        data, length = value.known_header()
        if length is None:  # only the pointer was kept: no whole value to compare
            return None
        return quote(value.ctx.read(data, min(length, 1 << 16)) if length else b"")
    if isinstance(value, ScalarValue):
        return value.number()
    return None


_NUMBER = re.compile(r"^(?:[\w./*\[\]]+\()?(?P<n>[-+]?[\d.]+(?:e[-+]?\d+)?|[-+]Inf|NaN)\)?$")
_COMPLEX = re.compile(r"^\((?P<re>\S+) \+ (?P<im>\S+)i\)$")
_CUT = re.compile(r'^"(?P<shown>.*)\.\.\.\+(?P<more>\d+) more"$')


def _theirs(result: delve.CommandResult) -> Leaf | None:
    text = result.output.strip()
    if result.error is not None or not text or text.startswith("(unreadable"):
        return None
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"'):
        return text
    if match := _COMPLEX.match(text):
        return complex(float(match["re"]), float(match["im"]))
    if match := _NUMBER.match(text):
        number = match["n"]
        return int(number) if re.fullmatch(r"[-+]?\d+", number) else float(number)
    return text


def _same(ours: Leaf, theirs: Leaf) -> bool:
    if isinstance(ours, str) and isinstance(theirs, str) and (cut := _CUT.match(theirs)):
        # Delve cuts strings at 512 bytes: compare what it shows.
        return ours.startswith('"' + cut["shown"])
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, int | float | complex) and isinstance(theirs, int | float | complex):
        return complex(ours) == complex(theirs)
    return ours == theirs


def _leaves(values: list[Value]) -> list[Value]:
    out = []
    for root in values:
        for value in walk(root, depth=3, width=64):
            if value.evaluate_name and isinstance(value, ScalarValue | StringValue):
                out.append(value)
    return out


def compare_with_delve(vc: ValuesCore, run_delve: RunDelve) -> Comparison:
    """Print every reachable leaf with Delve and compare."""
    stacks = run_delve(vc.core.exe, vc.core.core, [f"goroutine {goid} stack" for goid in sorted(vc.manifest)])
    probes: list[tuple[str, Value]] = []
    for goid, result in zip(sorted(vc.manifest), stacks, strict=True):
        g = vc.session.goroutine(goid)
        assert g is not None
        theirs = delve.parse_stack(result.output)
        ours = [f for f in vc.session.frames(g) if f.func is not None]
        for index, frame in enumerate(ours):
            if not frame.function.startswith("main.") or index >= len(theirs):
                continue
            if theirs[index].function != frame.function:
                continue  # the two stacks differ here: nothing to compare
            scope = variables.arguments(vc.process, frame) + variables.locals(vc.process, frame)
            probes += [(f"goroutine {goid} frame {index} print {v.evaluate_name}", v) for v in _leaves(scope)]
    globals_ = variables.package_globals(vc.process, "main")
    probes += [(f"print {v.evaluate_name}", v) for v in _leaves(globals_)]
    results = run_delve(vc.core.exe, vc.core.core, [command for command, _ in probes])
    report = Comparison()
    for (command, value), result in zip(probes, results, strict=True):
        ours, theirs = _ours(value), _theirs(result)
        line = f"{command}: godap {value.summary!r}, delve {result.output.strip() or result.error!r}"
        if ours is None and theirs is None:
            continue
        if isinstance(value, StringValue) and value.unreadable is None and value.known_header()[1] is None:
            report.delve_zero_length.append(line)
        elif ours is None:
            report.we_miss.append(line)
        elif theirs is None:
            report.delve_misses.append(line)
        elif _same(ours, theirs):
            report.agree += 1
        else:
            report.disagree.append(line)
    return report


def test_leaf_values_agree_with_delve(values_core: ValuesCore, run_delve: RunDelve) -> None:
    report = compare_with_delve(values_core, run_delve)
    total = report.agree + len(report.disagree) + len(report.we_miss)
    print(
        f"\n{values_core.release.version} {values_core.mode.value}: {report.agree}/{total} agree "
        f"({report.rate:.2%}); Delve cannot read {len(report.delve_misses)} leaves we read"
    )
    for line in report.disagree + report.we_miss:
        print("  DIFF", line)
    for line in report.delve_misses:
        print("  DELVE-CANNOT", line)
    for line in report.delve_zero_length:
        print("  DELVE-READS-A-DROPPED-LENGTH-AS-0", line)
    if total < 50:
        pytest.skip(f"Delve read only {total} leaves of this core")
    assert report.rate >= TARGET, "\n".join(report.disagree + report.we_miss)
    assert not any(OPTIMIZED_AWAY in line for line in report.disagree)
