"""Goroutine filters, applied to every goroutine before anything is cut.

Words (any number, all must match; prefix `!` to negate):
  user, system, running            the goroutine's kind or state
  reason=TEXT  status=TEXT         wait reason / status as Go prints it (substring)
  func=TEXT                        a function on the way to the goroutine's user frame (substring)
  location=TEXT                    file:line of its user frame (substring, e.g. worker.go:40)
  created=TEXT  start=TEXT         the function that created it / where it started (substring)
  label=KEY or label=KEY=VALUE     a pprof label
  waiting>N                        blocked for more than N minutes
Delve's `-with KIND [ARG]` / `-without KIND [ARG]` (user, running, label, userloc, curloc, goloc,
startloc) are accepted too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .describe import GoroutineSummary

Predicate = Callable[[GoroutineSummary], bool]


class FilterError(ValueError):
    """A filter word godap does not understand; the message says which and what is accepted."""


class GoroutineFilter(NamedTuple):
    text: str
    predicate: Predicate
    negate: bool = False

    def matches(self, summary: GoroutineSummary) -> bool:
        return self.predicate(summary) != self.negate


def _contains(get: Callable[[GoroutineSummary], str]) -> Callable[[str], Predicate]:
    return lambda needle: lambda s: needle.lower() in get(s).lower()


def _location(s: GoroutineSummary) -> str:
    where = s.user or s.top
    return f"{where.file}:{where.line} {os.path.basename(where.file)}:{where.line}" if where else ""


def _label(arg: str) -> Predicate:
    key, sep, value = arg.partition("=")
    return lambda s: any(k == key and (not sep or v == value) for k, v in s.labels)


def _waiting(arg: str) -> Predicate:
    try:
        minutes = float(arg)
    except ValueError as exc:
        raise FilterError(f"waiting>{arg}: expected a number of minutes") from exc
    return lambda s: (s.wait_minutes or 0) > minutes


_WITH_ARG: dict[str, Callable[[str], Predicate]] = {
    "reason": _contains(lambda s: s.state),
    "status": _contains(lambda s: s.status),
    "func": _contains(lambda s: " ".join(loc.function for loc in (s.top, s.user) if loc)),
    "location": _contains(_location),
    "created": _contains(lambda s: s.created_by.function if s.created_by else ""),
    "start": _contains(lambda s: s.start_function),
    "label": _label,
}
_PLAIN: dict[str, Predicate] = {
    "user": lambda s: not s.system,
    "system": lambda s: s.system,
    "running": lambda s: s.state == "running",
}
_DELVE_KINDS = {"userloc": "location", "curloc": "func", "goloc": "created", "startloc": "start", "label": "label"}


def parse_filters(words: Sequence[str]) -> list[GoroutineFilter]:
    filters: list[GoroutineFilter] = []
    items = list(words)
    i = 0
    while i < len(items):
        word = items[i].strip()
        i += 1
        if not word:
            continue
        if word in ("-with", "-without"):
            if i >= len(items):
                raise FilterError(f"{word} needs a kind (user, running, label, userloc, curloc, goloc, startloc)")
            kind = items[i]
            i += 1
            negate = word == "-without"
            if kind in _PLAIN:
                filters.append(GoroutineFilter(f"{word} {kind}", _PLAIN[kind], negate))
                continue
            if kind not in _DELVE_KINDS or i >= len(items):
                raise FilterError(f"{word} {kind}: unknown kind or missing argument")
            arg = items[i]
            i += 1
            filters.append(GoroutineFilter(f"{word} {kind} {arg}", _WITH_ARG[_DELVE_KINDS[kind]](arg), negate))
            continue
        filters.append(_parse_word(word))
    return filters


def _parse_word(word: str) -> GoroutineFilter:
    negate = word.startswith("!")
    body = word[1:] if negate else word
    if body in _PLAIN:
        return GoroutineFilter(word, _PLAIN[body], negate)
    if body.startswith("waiting>"):
        return GoroutineFilter(word, _waiting(body[len("waiting>") :]), negate)
    key, sep, arg = body.partition("=")
    if sep and key in _WITH_ARG and arg:
        return GoroutineFilter(word, _WITH_ARG[key](arg), negate)
    raise FilterError(
        f"unknown goroutine filter {word!r}; use user, system, running, reason=…, status=…, func=…, "
        "location=…, created=…, start=…, label=KEY[=VALUE] or waiting>MINUTES (prefix ! to negate)"
    )


def matches_all(filters: Sequence[GoroutineFilter], summary: GoroutineSummary) -> bool:
    return all(f.matches(summary) for f in filters)
