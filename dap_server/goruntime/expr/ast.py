"""The syntax tree of a Go expression. Types and expressions share nodes, as in Go's own parser:
`(*main.T)(p)` is a call whose callee turns out to name a type, so it is a conversion."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    column: int


@dataclass(frozen=True, slots=True)
class Ident(Node):
    name: str


@dataclass(frozen=True, slots=True)
class PackagePath(Node):
    """A quoted import path used as a package name: `"net/http".DefaultClient`."""

    path: str


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """An int, float, imaginary, rune or string literal."""

    value: object
    kind: str


@dataclass(frozen=True, slots=True)
class Selector(Node):
    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    target: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Slice(Node):
    target: Node
    low: Node | None
    high: Node | None
    max: Node | None


@dataclass(frozen=True, slots=True)
class TypeAssert(Node):
    target: Node
    type: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """len(x), cap(x), or a conversion T(x)."""

    function: Node
    arguments: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Paren(Node):
    inner: Node


@dataclass(frozen=True, slots=True)
class CompositeLit(Node):
    """`main.Key{A: 1, B: "x"}` or `[2]int{1, 2}`: keys are field names or None."""

    type: Node
    elements: tuple[tuple[str | None, Node], ...]


@dataclass(frozen=True, slots=True)
class SliceType(Node):
    elem: Node


@dataclass(frozen=True, slots=True)
class ArrayType(Node):
    length: Node
    elem: Node


@dataclass(frozen=True, slots=True)
class MapType(Node):
    key: Node
    elem: Node


@dataclass(frozen=True, slots=True)
class ChanType(Node):
    elem: Node


@dataclass(frozen=True, slots=True)
class EmptyType(Node):
    """`interface {}` or `struct {}`, the type literals without members."""

    name: str
