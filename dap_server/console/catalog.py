"""What the program is made of: `sources`, `funcs` and `types`, filtered by a regular expression."""

from __future__ import annotations

from collections.abc import Iterable

from .base import ConsoleResult, Where, pattern

MAX_LINES = 5000


def sources(where: Where, args: list[str]) -> ConsoleResult:
    """sources [regexp]: the source files the program was built from (paths as found here)."""
    session = where.session
    return _listing((session.local_path(path) for path in session.recorded_sources()), args, "source files")


def functions(where: Where, args: list[str]) -> ConsoleResult:
    """funcs [regexp]: the program's functions."""
    return _listing((f.name for f in where.session.pclntab.functions()), args, "functions")


def types(where: Where, args: list[str]) -> ConsoleResult:
    """types [regexp]: the program's types, as DWARF names them."""
    return _listing(where.session.type_names(), args, "types")


def _listing(names: Iterable[str], args: list[str], what: str) -> ConsoleResult:
    regexp = pattern(args)
    found = sorted({n for n in names if regexp is None or regexp.search(n)})
    lines = found[:MAX_LINES]
    if len(found) > MAX_LINES:
        lines.append(f"...+{len(found) - MAX_LINES} more {what}: narrow the regular expression")
    return ConsoleResult("\n".join(lines) if lines else f"(no {what} match)")
