"""`config`: show and change the session's launch options while it runs."""

from __future__ import annotations

import shlex
from collections.abc import Callable

from ..goruntime.filters import FilterError
from ..session import Session
from ..sources import PathRule
from .base import STACKS, THREADS, ConsoleError, ConsoleResult, Where, integer

_TRUE = {"true": True, "on": True, "1": True, "yes": True, "false": False, "off": False, "0": False, "no": False}


def _flag(text: str) -> bool:
    try:
        return _TRUE[text.lower()]
    except KeyError:
        raise ConsoleError(f"expected true or false, not {text!r}") from None


def _set_hide(session: Session, words: list[str]) -> None:
    session.set_goroutine_options(hide_system=_flag(" ".join(words)))


def _set_group(session: Session, words: list[str]) -> None:
    session.set_goroutine_options(group=_flag(" ".join(words)))


def _set_filters(session: Session, words: list[str]) -> None:
    """Filter words; a `-group` among them turns grouping on (Delve's `goroutineFilters` syntax)."""
    group = "-group" in words
    try:
        session.set_goroutine_options(filters=[w for w in words if w != "-group"], group=True if group else None)
    except FilterError as exc:
        raise ConsoleError(str(exc)) from None


def _set_globals(session: Session, words: list[str]) -> None:
    session.set_view_options(show_globals=_flag(" ".join(words)))


def _set_registers(session: Session, words: list[str]) -> None:
    session.set_view_options(show_registers=_flag(" ".join(words)))


def _set_depth(session: Session, words: list[str]) -> None:
    depth = integer(" ".join(words), "stackTraceDepth")
    if depth < 1:
        raise ConsoleError("stackTraceDepth must be at least 1")
    session.set_view_options(stack_depth=depth)


def _set_substitute(session: Session, words: list[str]) -> None:
    """`FROM TO` adds (or replaces) a rule, `FROM` alone removes it, `-clear` removes them all."""
    rules = [r for r in session.options.substitute_path if words[:1] != [r.local]]
    if words == ["-clear"]:
        rules = []
    elif len(words) == 2:
        rules.append(PathRule(local=words[0], recorded=words[1]))
    elif len(words) != 1:
        raise ConsoleError("usage: config substitutePath FROM TO | config substitutePath FROM | -clear")
    session.set_substitute_path(rules)


Setter = Callable[[Session, list[str]], None]
# option -> (setter, what the client must fetch again, how the value is shown)
_OPTIONS: dict[str, tuple[Setter, str, Callable[[Session], object]]] = {
    "hideSystemGoroutines": (_set_hide, THREADS, lambda s: s.options.hide_system_goroutines),
    "goroutineFilters": (_set_filters, THREADS, lambda s: " ".join(s.options.goroutine_filters)),
    "groupGoroutines": (_set_group, THREADS, lambda s: s.options.group_goroutines),
    "showGlobalVariables": (_set_globals, STACKS, lambda s: s.options.show_global_variables),
    "showRegisters": (_set_registers, STACKS, lambda s: s.options.show_registers),
    "stackTraceDepth": (_set_depth, STACKS, lambda s: s.options.stack_trace_depth),
    "substitutePath": (
        _set_substitute,
        STACKS,
        lambda s: ", ".join(f"{r.local} -> {r.recorded}" for r in s.options.substitute_path) or "[]",
    ),
}


def config(where: Where, args: list[str]) -> ConsoleResult:
    """config [-list] | config NAME VALUE..."""
    session = where.session
    if not args or args == ["-list"]:
        width = max(len(name) for name in _OPTIONS)
        return ConsoleResult(
            "\n".join(f"{name:<{width}}  {_text(show(session))}" for name, (_, _, show) in _OPTIONS.items())
        )
    name, words = args[0], args[1:]
    if name not in _OPTIONS:
        raise ConsoleError(f"unknown option {name!r}; options: {', '.join(_OPTIONS)}")
    setter, area, show = _OPTIONS[name]
    if not words and name != "goroutineFilters":
        raise ConsoleError(f"config {name} needs a value")
    setter(session, shlex.split(" ".join(words)))
    return ConsoleResult(f"{name} = {_text(show(session))}", refresh=frozenset({area}))


def _text(setting: object) -> str:
    return ("true" if setting else "false") if isinstance(setting, bool) else str(setting)
