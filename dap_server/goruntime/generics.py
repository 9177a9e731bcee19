"""The type arguments of a generic function's frame, from its dictionary.

The compiler compiles a generic function once per GC shape (`main.testfn[go.shape.int,
go.shape.float32]`) and passes the instantiation's dictionary, a read-only symbol named with the
real type arguments (`main..dict.testfn[int,float32]`), as the hidden `.dict` argument. Where
`.dict` can be read, its address names the dictionary; where the optimizer dropped it, the
dictionary is the one whose type arguments fit the shapes, if only one does.
"""

from __future__ import annotations

from typing import NamedTuple

from ..program.symbols import STT_OBJECT, Symbol
from .binary import GoBinary

SHAPE = "go.shape."
_DICT = "..dict."
_BASIC = frozenset(
    "bool int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr float32 float64 "
    "complex64 complex128 string".split()
)


class Instance(NamedTuple):
    """One instantiation of a shaped function: its shapes and type arguments, in order."""

    name: str  # `main.testfn[int,float32]`
    shapes: tuple[str, ...]
    arguments: tuple[str, ...]
    dictionary: int  # link-time address of the dictionary

    def substitute(self, type_name: str) -> str:
        """`type_name` with each shape replaced by its type argument (`map[float32]int`)."""
        for shape, argument in sorted(zip(self.shapes, self.arguments, strict=True), key=lambda p: -len(p[0])):
            type_name = type_name.replace(shape, argument)
        return type_name


class _Dictionaries(list[Symbol]):
    """The dictionary symbols of a binary, attached to it."""


def _dictionaries(binary: GoBinary) -> _Dictionaries:
    def read() -> _Dictionaries:
        return _Dictionaries(s for s in binary.program.symbols.defined(STT_OBJECT) if _DICT in s.name)

    return binary.attached.get(_Dictionaries, read)


def _parts(name: str) -> tuple[str, list[str], str] | None:
    """`pkg.f[A,B].m` -> ("pkg.f", ["A", "B"], ".m"): the bracketed type arguments split at the
    top-level commas."""
    start = name.find("[")
    if start < 0:
        return None
    depth, current = 0, ""
    items: list[str] = []
    for i in range(start + 1, len(name)):
        char = name[i]
        if char in "[({" or (char == "]" and depth):
            depth += 1 if char in "[({" else -1
        elif char in ")}":
            depth -= 1
        elif char == "]":
            return name[:start], [*items, current], name[i + 1 :]
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    return None


def _dictionary_name(head: str) -> str:
    """Where the dictionaries of a function are named: `main.testfn` -> `main..dict.testfn`; a
    method uses its type's (`main.(*Stack` -> `main..dict.Stack`)."""
    head = head.replace("(*", "").replace("(", "")
    package_end = head.rfind("/") + 1
    dot = head.find(".", package_end)
    return head[:dot] + _DICT + head[dot + 1 :]


def _fits(shape: str, argument: str) -> bool:
    if shape == SHAPE + argument:
        return True
    if shape.startswith(SHAPE + "*"):
        return argument.startswith("*")
    return not argument.startswith("*") and argument not in _BASIC


def instance(binary: GoBinary, function: str, dictionary: int | None) -> Instance | None:
    """The instantiation a frame of the shaped `function` runs: the one of the dictionary at
    `dictionary` (a link-time address), or the only one whose type arguments fit the shapes."""
    parts = _parts(function)
    if parts is None or SHAPE not in function:
        return None
    head, shapes, tail = parts
    wanted = _dictionary_name(head)
    method = "(" in head[head.rfind("/") + 1 :]
    candidates = []
    for symbol in _dictionaries(binary):
        found = _parts(symbol.name)
        if found is None or found[0] != wanted or found[2] != ("" if method else tail) or len(found[1]) != len(shapes):
            continue
        if symbol.value == dictionary:
            candidates = [(symbol, found[1])]
            break
        if dictionary is None and all(_fits(s, a) for s, a in zip(shapes, found[1], strict=True)):
            candidates.append((symbol, found[1]))
    if len(candidates) != 1:
        return None
    symbol, arguments = candidates[0]
    name = f"{head}[{','.join(arguments)}]{tail}"
    return Instance(name, tuple(shapes), tuple(arguments), symbol.value)
