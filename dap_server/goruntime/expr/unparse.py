"""A syntax tree back to Go text: the `evaluateName` of results and of their children."""

from __future__ import annotations

from ..values.format import quote
from . import ast


def unparse(node: ast.Node) -> str:
    if isinstance(node, ast.Ident):
        return node.name
    if isinstance(node, ast.PackagePath):
        return quote(node.path.encode())
    if isinstance(node, ast.Literal):
        return _literal(node)
    if isinstance(node, ast.Selector):
        return f"{unparse(node.target)}.{node.name}"
    if isinstance(node, ast.Index):
        return f"{unparse(node.target)}[{unparse(node.index)}]"
    if isinstance(node, ast.Slice):
        parts = [unparse(p) if p is not None else "" for p in (node.low, node.high)]
        if node.max is not None:
            parts.append(unparse(node.max))
        return f"{unparse(node.target)}[{':'.join(parts)}]"
    if isinstance(node, ast.TypeAssert):
        return f"{unparse(node.target)}.({unparse(node.type)})"
    if isinstance(node, ast.Call):
        return f"{unparse(node.function)}({', '.join(unparse(a) for a in node.arguments)})"
    if isinstance(node, ast.Unary):
        return node.op + unparse(node.operand)
    if isinstance(node, ast.Binary):
        return f"{unparse(node.left)} {node.op} {unparse(node.right)}"
    if isinstance(node, ast.Paren):
        return f"({unparse(node.inner)})"
    if isinstance(node, ast.CompositeLit):
        items = [f"{key}: {unparse(value)}" if key else unparse(value) for key, value in node.elements]
        return f"{unparse(node.type)}{{{', '.join(items)}}}"
    if isinstance(node, ast.SliceType):
        return "[]" + unparse(node.elem)
    if isinstance(node, ast.ArrayType):
        return f"[{unparse(node.length)}]{unparse(node.elem)}"
    if isinstance(node, ast.MapType):
        return f"map[{unparse(node.key)}]{unparse(node.elem)}"
    if isinstance(node, ast.ChanType):
        return "chan " + unparse(node.elem)
    if isinstance(node, ast.EmptyType):
        return node.name
    raise TypeError(f"unknown node {node!r}")


def _literal(node: ast.Literal) -> str:
    value = node.value
    if node.kind == "string":
        assert isinstance(value, str)
        return quote(value.encode())
    if node.kind == "rune":
        assert isinstance(value, int)
        return "'" + quote(chr(value).encode())[1:-1].replace("'", "\\'") + "'"
    if node.kind == "imaginary":
        assert isinstance(value, complex)
        return f"{value.imag!r}i"
    return repr(value)
