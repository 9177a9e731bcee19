"""Types named in expressions: `int`, `main.T`, `*pkg.T`, `[]T`, `[4]T`, `map[K]V`, found in DWARF
by the name Go spells, or made here when DWARF lacks them (a pointer type nobody declared, the
slice type of a sliced array, the types of untyped constants)."""

from __future__ import annotations

from collections.abc import Callable

from ...program.dwarf.types import Field, GoType, Kind
from ..values.base import ValueContext
from . import ast
from .errors import ExpressionError

# name -> (kind, size, signed); byte and rune are the aliases Go says they are.
BASIC: dict[str, tuple[Kind, int, bool]] = {
    "bool": (Kind.BOOL, 1, False),
    "int": (Kind.INT, 8, True),
    "int8": (Kind.INT, 1, True),
    "int16": (Kind.INT, 2, True),
    "int32": (Kind.INT, 4, True),
    "int64": (Kind.INT, 8, True),
    "uint": (Kind.UINT, 8, False),
    "uint8": (Kind.UINT, 1, False),
    "uint16": (Kind.UINT, 2, False),
    "uint32": (Kind.UINT, 4, False),
    "uint64": (Kind.UINT, 8, False),
    "uintptr": (Kind.UINT, 8, False),
    "float32": (Kind.FLOAT, 4, False),
    "float64": (Kind.FLOAT, 8, False),
    "complex64": (Kind.COMPLEX, 8, False),
    "complex128": (Kind.COMPLEX, 16, False),
    "string": (Kind.STRING, 16, False),
}
ALIASES = {"byte": "uint8", "rune": "int32", "any": "interface {}"}
WORD = 8


class MadeType(GoType):
    """A type DWARF does not have, described here."""

    def __init__(
        self,
        name: str,
        kind: Kind,
        size: int,
        *,
        signed: bool = False,
        elem: GoType | None = None,
        length: int = 0,
        fields: tuple[Field, ...] = (),
    ) -> None:
        self.name = name
        self.kind = kind
        self.size = size
        self.signed = signed
        self._elem = elem
        self._length = length
        self._fields = fields

    @property
    def elem(self) -> GoType | None:
        return self._elem

    @property
    def length(self) -> int:
        return self._length

    @property
    def fields(self) -> tuple[Field, ...]:
        return self._fields


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def basic_type(ctx: ValueContext, name: str) -> GoType:
    """The predeclared type `name` (DWARF's entry when the program has one)."""
    name = canonical(name)
    kind, size, signed = BASIC[name]
    found = ctx.types.named(name)
    if found is not None and found.kind == kind and found.size == size:
        return found
    return MadeType(name, kind, size, signed=signed)


def pointer_to(ctx: ValueContext, elem: GoType) -> GoType:
    found = None if elem.foreign else ctx.types.named("*" + elem.name)
    if found is not None and found.kind == Kind.POINTER:
        return found
    return MadeType("*" + elem.name, Kind.POINTER, WORD, elem=elem)


def slice_of(ctx: ValueContext, elem: GoType) -> GoType:
    found = None if elem.foreign else ctx.types.named("[]" + elem.name)
    if found is not None and found.kind == Kind.SLICE:
        return found
    word = basic_type(ctx, "int")
    fields = (
        Field("array", 0, False, lambda: pointer_to(ctx, elem)),
        Field("len", WORD, False, lambda: word),
        Field("cap", 2 * WORD, False, lambda: word),
    )
    return MadeType("[]" + elem.name, Kind.SLICE, 3 * WORD, elem=elem, fields=fields)


def array_of(ctx: ValueContext, elem: GoType, length: int) -> GoType:
    name = f"[{length}]{elem.name}"
    found = None if elem.foreign else ctx.types.named(name)
    if found is not None and found.kind == Kind.ARRAY:
        return found
    return MadeType(name, Kind.ARRAY, elem.size * length, elem=elem, length=length)


PackageResolver = Callable[[str, int], str]


class TypeResolver:
    """Type expressions → GoTypes. `package_path(name, column)` turns a package name used in the
    expression into its import path; `local_package` qualifies bare names of declared types."""

    def __init__(self, ctx: ValueContext, local_package: str, package_path: PackageResolver) -> None:
        self.ctx = ctx
        self.local_package = local_package
        self.package_path = package_path

    def is_type_syntax(self, node: ast.Node) -> bool:
        """Whether the node can only be a type (`*T` is ambiguous and answered by the caller)."""
        while isinstance(node, ast.Paren):
            node = node.inner
        return isinstance(node, ast.SliceType | ast.ArrayType | ast.MapType | ast.ChanType | ast.EmptyType)

    def text(self, node: ast.Node) -> str:
        """The type's name as Go (and DWARF) spell it, packages by their full import path."""
        if isinstance(node, ast.Paren):
            return self.text(node.inner)
        if isinstance(node, ast.Ident):
            if node.name in BASIC or node.name in ALIASES:
                return canonical(node.name)
            if node.name == "error":
                return "error"
            return f"{self.local_package}.{node.name}"
        if isinstance(node, ast.Selector) and isinstance(node.target, ast.Ident):
            if node.target.name == "unsafe":
                return f"unsafe.{node.name}"
            return f"{self.package_path(node.target.name, node.target.column)}.{node.name}"
        if isinstance(node, ast.Selector) and isinstance(node.target, ast.PackagePath):
            return f"{node.target.path}.{node.name}"
        if isinstance(node, ast.Unary) and node.op == "*":
            return "*" + self.text(node.operand)
        if isinstance(node, ast.SliceType):
            return "[]" + self.text(node.elem)
        if isinstance(node, ast.ArrayType):
            return f"[{self._length(node.length)}]{self.text(node.elem)}"
        if isinstance(node, ast.MapType):
            return f"map[{self.text(node.key)}]{self.text(node.elem)}"
        if isinstance(node, ast.ChanType):
            return "chan " + self.text(node.elem)
        if isinstance(node, ast.EmptyType):
            return node.name
        if isinstance(node, ast.Index):
            return f"{self.text(node.target)}[{self.text(node.index)}]"
        raise ExpressionError("not a type", node.column)

    def resolve(self, node: ast.Node) -> GoType:
        """The GoType the node names; ExpressionError when the program has no such type."""
        while isinstance(node, ast.Paren):
            node = node.inner
        name = self.text(node)
        if name in BASIC:
            return basic_type(self.ctx, name)
        found = self.ctx.types.named(name)
        if found is not None:
            return found
        if isinstance(node, ast.Unary) and node.op == "*":
            return pointer_to(self.ctx, self.resolve(node.operand))
        if isinstance(node, ast.SliceType):
            return slice_of(self.ctx, self.resolve(node.elem))
        if isinstance(node, ast.ArrayType):
            return array_of(self.ctx, self.resolve(node.elem), self._length(node.length))
        raise ExpressionError(f"no type {name} in the program", node.column)

    def _length(self, node: ast.Node) -> int:
        if isinstance(node, ast.Literal) and isinstance(node.value, int) and node.kind == "integer":
            return node.value
        raise ExpressionError("an array length must be an integer literal", node.column)
