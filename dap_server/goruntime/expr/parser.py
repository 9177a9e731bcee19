"""A Pratt parser for Go expressions (precedence and forms from the Go specification)."""

from __future__ import annotations

from . import ast
from .errors import ExpressionError
from .lexer import Token, TokenKind, tokenize

MAX_DEPTH = 200
_BINARY_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "|": 4,
    "^": 4,
    "*": 5,
    "/": 5,
    "%": 5,
    "<<": 5,
    ">>": 5,
    "&": 5,
    "&^": 5,
}
_UNARY = frozenset({"+", "-", "!", "^", "*", "&"})


def parse(text: str) -> ast.Node:
    """The syntax tree of `text`, or ExpressionError with the column of the first problem."""
    if not text.strip():
        raise ExpressionError("empty expression")
    parser = _Parser(tokenize(text))
    node = parser.expression()
    token = parser.peek()
    if token.kind is not TokenKind.EOF:
        raise ExpressionError(f"unexpected {_describe(token)} after the expression", token.column)
    return node


def _describe(token: Token) -> str:
    return token.kind.value if token.kind is TokenKind.EOF else repr(token.text)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._pos = 0
        self._depth = 0

    def peek(self, ahead: int = 0) -> Token:
        return self._tokens[min(self._pos + ahead, len(self._tokens) - 1)]

    def _next(self) -> Token:
        token = self.peek()
        self._pos += 1
        return token

    def _is(self, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind is TokenKind.OP and token.text == text

    def _expect(self, text: str) -> Token:
        token = self._next()
        if token.kind is not TokenKind.OP or token.text != text:
            raise ExpressionError(f"expected {text!r}, found {_describe(token)}", token.column)
        return token

    def _enter(self, column: int) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested more than {MAX_DEPTH} levels deep", column)

    def expression(self, min_precedence: int = 1) -> ast.Node:
        self._enter(self.peek().column)
        left = self._unary()
        while True:
            token = self.peek()
            precedence = _BINARY_PRECEDENCE.get(token.text, 0) if token.kind is TokenKind.OP else 0
            if precedence < min_precedence:
                break
            self._next()
            self._depth += 1
            right = self.expression(precedence + 1)
            self._depth -= 1
            left = ast.Binary(token.column, token.text, left, right)
        self._depth -= 1
        return left

    def _unary(self) -> ast.Node:
        token = self.peek()
        if token.kind is TokenKind.OP and token.text in _UNARY:
            self._next()
            self._enter(token.column)
            operand = self._unary()
            self._depth -= 1
            return ast.Unary(token.column, token.text, operand)
        return self._primary()

    def _primary(self) -> ast.Node:
        node = self._operand()
        while True:
            token = self.peek()
            if self._is("."):
                node = self._selector(node)
            elif self._is("["):
                node = self._index(node)
            elif self._is("("):
                node = self._call(node)
            elif self._is("{") and _may_be_type(node):
                node = self._composite(node)
            else:
                return node
            self._enter(token.column)

    def _operand(self) -> ast.Node:
        token = self._next()
        if token.kind is TokenKind.IDENT:
            if token.text == "map" and self._is("["):
                return self._map_type(token)
            if token.text == "chan":
                return ast.ChanType(token.column, self._type_operand())
            if token.text in ("interface", "struct") and self._is("{"):
                self._next()
                self._expect("}")
                return ast.EmptyType(token.column, f"{token.text} {{}}")
            return ast.Ident(token.column, token.text)
        if token.kind is TokenKind.STRING and self._is("."):
            return ast.PackagePath(token.column, str(token.value))
        if token.kind in (TokenKind.INT, TokenKind.FLOAT, TokenKind.IMAG, TokenKind.CHAR, TokenKind.STRING):
            return ast.Literal(token.column, token.value, token.kind.value)
        if token.kind is TokenKind.OP and token.text == "(":
            inner = self.expression()
            self._expect(")")
            return ast.Paren(token.column, inner)
        if token.kind is TokenKind.OP and token.text == "[":
            return self._array_type(token)
        raise ExpressionError(f"expected an operand, found {_describe(token)}", token.column)

    def _type_operand(self) -> ast.Node:
        """A type in type position: *T, []T, [N]T, map[K]V, pkg.T, (T)."""
        token = self.peek()
        self._enter(token.column)
        if self._is("*"):
            self._next()
            node: ast.Node = ast.Unary(token.column, "*", self._type_operand())
        else:
            node = self._operand()
            while self._is("."):
                node = self._selector(node)
        self._depth -= 1
        return node

    def _array_type(self, open_bracket: Token) -> ast.Node:
        if self._is("]"):
            self._next()
            return ast.SliceType(open_bracket.column, self._type_operand())
        length = self.expression()
        self._expect("]")
        return ast.ArrayType(open_bracket.column, length, self._type_operand())

    def _map_type(self, token: Token) -> ast.Node:
        self._expect("[")
        key = self._type_operand()
        self._expect("]")
        return ast.MapType(token.column, key, self._type_operand())

    def _selector(self, target: ast.Node) -> ast.Node:
        dot = self._expect(".")
        if self._is("("):
            self._next()
            if self.peek().kind is TokenKind.IDENT and self.peek().text == "type":
                raise ExpressionError("type switches are not expressions", self.peek().column)
            typ = self._type_operand()
            self._expect(")")
            return ast.TypeAssert(dot.column, target, typ)
        name = self._next()
        if name.kind is not TokenKind.IDENT:
            raise ExpressionError(f"expected a name after '.', found {_describe(name)}", name.column)
        return ast.Selector(dot.column, target, name.text)

    def _index(self, target: ast.Node) -> ast.Node:
        bracket = self._expect("[")
        low = None if self._is(":") else self.expression()
        if not self._is(":"):
            self._expect("]")
            assert low is not None
            return ast.Index(bracket.column, target, low)
        self._next()
        high = None if self._is("]") or self._is(":") else self.expression()
        maximum = None
        if self._is(":"):
            colon = self._next()
            if self._is("]"):
                raise ExpressionError("the 3-index slice needs a max", colon.column)
            maximum = self.expression()
        self._expect("]")
        return ast.Slice(bracket.column, target, low, high, maximum)

    def _call(self, function: ast.Node) -> ast.Node:
        paren = self._expect("(")
        arguments: list[ast.Node] = []
        while not self._is(")"):
            arguments.append(self.expression())
            if not self._is(")"):
                self._expect(",")
        self._expect(")")
        return ast.Call(paren.column, function, tuple(arguments))

    def _composite(self, typ: ast.Node) -> ast.Node:
        brace = self._expect("{")
        elements: list[tuple[str | None, ast.Node]] = []
        while not self._is("}"):
            key = None
            if self.peek().kind is TokenKind.IDENT and self._is(":", 1):
                key = self._next().text
                self._next()
            elements.append((key, self.expression()))
            if not self._is("}"):
                self._expect(",")
        self._expect("}")
        return ast.CompositeLit(brace.column, typ, tuple(elements))


def _may_be_type(node: ast.Node) -> bool:
    """`{` after these starts a composite literal (inside index brackets, where Go allows one)."""
    return isinstance(node, ast.Ident | ast.Selector | ast.SliceType | ast.ArrayType | ast.MapType)
