"""What holds the memory: `heap` (the type histogram), `heap top` (largest objects and retainers),
`refs EXPR`, `retainers EXPR` (the same as a tree to expand), `path EXPR` and `retained EXPR`, on
the session's heap analysis.

EXPR is an address or a Go expression: a pointer, map, channel, func or slice names the object its
first word points to; any other value names the object holding it, or the global it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..goruntime.expr.errors import ExpressionError
from ..goruntime.expr.evaluate import evaluate
from ..goruntime.values.context import DECODE_ERRORS
from ..program.dwarf.types import Kind
from ..session import SessionError
from .base import ConsoleError, ConsoleResult, Where, integer

if TYPE_CHECKING:  # numpy and the graph code load with the first heap question, not with the console
    from ..goruntime.heap.analysis import HeapAnalysis, HeapNode

HEAP_COMMANDS = frozenset({"heap", "refs", "retainers", "path", "retained"})
DEFAULT_ROWS = 25
MAX_ROWS = 10_000
MAX_REFS = 200
_POINTING = frozenset({Kind.POINTER, Kind.MAP, Kind.CHAN, Kind.FUNC, Kind.SLICE, Kind.UNSAFE_POINTER, Kind.STRING})


def analysis(where: Where) -> HeapAnalysis:
    try:
        return where.session.heap()
    except SessionError as exc:
        raise ConsoleError(str(exc)) from None


def heap(where: Where, args: list[str]) -> ConsoleResult:
    """heap [N] | heap top [N]: the live heap by type, or its largest objects and retainers."""
    if args and args[0] == "top":
        return _top(analysis(where), _rows(args[1:]))
    found = analysis(where)
    rows = found.histogram()
    live, live_bytes, allocated, allocated_bytes = found.totals()
    untyped = [r for r in rows if not r.typed]
    lines = [
        f"live heap: {live:,} objects, {_size(live_bytes)} "
        f"(allocated: {allocated:,} objects, {_size(allocated_bytes)}; the rest is garbage not yet swept)",
        f"of which untyped: {sum(r.count for r in untyped):,} objects, {_size(sum(r.bytes for r in untyped))} "
        "(no header or root says what they are)",
        f"{'count':>12} {'bytes':>14} {'share':>7}  type",
    ]
    limit = _rows(args)
    lines += [f"{r.count:>12,} {r.bytes:>14,} {r.share:>7.1%}  {r.type}" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"...+{len(rows) - limit} more types (heap N shows N)")
    lines += found.facts.notes
    return ConsoleResult("\n".join(lines))


def _top(found: HeapAnalysis, limit: int) -> ConsoleResult:
    lines = ["largest objects:"]
    for node in found.largest_objects(limit):
        lines += [f"  {_describe(node)}", f"      path: {_path_text(found, node)}"]
    lines.append("largest retainers (bytes each keeps alive):")
    for node in found.largest_retainers(limit):
        lines += [f"  {_size(node.retained)} by {_describe(node)}", f"      path: {_path_text(found, node)}"]
    lines.append("roots that retain the most:")
    lines += [f"  {_size(node.retained)} by {node.name}" for node in found.largest_retainers(limit, roots=True)]
    return ConsoleResult("\n".join(lines))


def refs(where: Where, args: list[str]) -> ConsoleResult:
    """refs EXPR: what points to the object EXPR names."""
    found = analysis(where)
    node = _node(where, found, args, "refs")
    references = found.referrers(node)
    lines = [f"{len(references)} references to {_describe(node)}:"]
    for ref in references[:MAX_REFS]:
        at = f"+{ref.offset:#x}" if ref.referrer.address is not None else f"word at {ref.offset:#x}"
        lines.append(f"  {_describe(ref.referrer)} {at}")
    if len(references) > MAX_REFS:
        lines.append(f"...+{len(references) - MAX_REFS} more")
    return ConsoleResult("\n".join(lines))


def retainers(where: Where, args: list[str]) -> ConsoleResult:
    """retainers EXPR: what keeps the object alive, as a tree to expand (each node: its referrers)."""
    from ..goruntime.heap.retainers import RetainersValue  # with the analysis: numpy is loaded

    found = analysis(where)
    text = " ".join(args).strip()
    node = _node(where, found, args, "retainers")
    value = RetainersValue(where.scope.ctx, text, found, node)
    return ConsoleResult(value.render_value(0, 0), value=value)


def path(where: Where, args: list[str]) -> ConsoleResult:
    """path EXPR: one shortest chain of references from a root to the object EXPR names."""
    found = analysis(where)
    node = _node(where, found, args, "path")
    chain = found.path(node)
    if not chain:
        return ConsoleResult(f"nothing reaches {_describe(node)}: it is garbage the next GC frees")
    return ConsoleResult("\n".join(("  " * i) + _describe(n) for i, n in enumerate(chain)))


def retained(where: Where, args: list[str]) -> ConsoleResult:
    """retained EXPR: the bytes that would be freed if the object EXPR names (or the global) were."""
    found = analysis(where)
    node = _node(where, found, args, "retained")
    return ConsoleResult(f"{_describe(node)} retains {_size(node.retained)} ({node.retained:,} bytes)")


def _node(where: Where, found: HeapAnalysis, args: list[str], command: str) -> HeapNode:
    text = " ".join(args).strip()
    if not text:
        raise ConsoleError(f"{command} needs an address or an expression")
    try:
        addr = int(text, 0)
    except ValueError:
        addr = None
    if addr is None:
        root = found.root_named(text) or found.root_named(f"main.{text}")
        try:
            value = evaluate(where.scope, text)
            addr = value.word() if value.gotype.kind in _POINTING else value.address
        except (ExpressionError, *DECODE_ERRORS) as exc:
            if root is not None:
                return root
            raise ConsoleError(str(exc)) from None
        if value.gotype.kind not in _POINTING and root is not None:
            return root
    node = found.object_at(addr) if addr else None
    if node is None:
        raise ConsoleError(f"{text} ({addr or 0:#x}) is not in a heap object")
    return node


def _describe(node: HeapNode) -> str:
    if node.address is None:
        return node.name
    return f"{node.address:#x} {node.name} ({node.size:,} B)"


def _path_text(found: HeapAnalysis, node: HeapNode) -> str:
    chain = found.path(node)
    return " → ".join(n.name if n.address is None else f"{n.address:#x}" for n in chain) if chain else "(unreachable)"


def _rows(args: list[str]) -> int:
    return min(integer(args[0], "the number of rows"), MAX_ROWS) if args else DEFAULT_ROWS


def _size(count: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift:
            return f"{count / (1 << shift):.1f} {unit}"
    return f"{count} B"
