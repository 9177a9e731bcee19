"""Tokens of Go expressions (the Go spec's lexical rules, minus what expressions never use)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .errors import ExpressionError

MAX_EXPRESSION = 64 * 1024


class TokenKind(Enum):
    IDENT = "identifier"
    INT = "integer"
    FLOAT = "float"
    IMAG = "imaginary"
    CHAR = "rune"
    STRING = "string"
    OP = "operator"
    EOF = "end of expression"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    column: int  # 1-based
    value: object = None


_OPERATORS = sorted(
    "&^= &^ <<= >>= ... && || << >> <- == != <= >= := ++ -- += -= *= /= %= &= |= ^= "
    "+ - * / % & | ^ < > = ! ( ) [ ] { } , ; . : ~".split(),
    key=len,
    reverse=True,
)
_NUMBER = re.compile(
    r"""0[xX](?:_?[0-9a-fA-F])+(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?(?:[pP][+-]?[0-9](?:_?[0-9])*)?i?
      | 0[bB](?:_?[01])+i?
      | 0[oO](?:_?[0-7])+i?
      | (?:[0-9](?:_?[0-9])*)?\.?[0-9]*(?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?i?""",
    re.VERBOSE,
)
_IDENT = re.compile(r"[^\W\d]\w*", re.UNICODE)
_COMPILER_NAME = re.compile(r"~[rp]\d+")  # unnamed results and parameters as DWARF names them (~r0)
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"'}


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_EXPRESSION:
        raise ExpressionError(f"expression is longer than {MAX_EXPRESSION} characters")
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch in " \t\r\n":
            pos += 1
            continue
        column = pos + 1
        if ch.isdigit() or (ch == "." and pos + 1 < len(text) and text[pos + 1].isdigit()):
            pos = _number(text, pos, tokens)
            continue
        if ch == "_" or ch.isalpha() or (ch == "~" and _COMPILER_NAME.match(text, pos)):
            match = _IDENT.match(text, pos) or _COMPILER_NAME.match(text, pos)
            assert match is not None
            tokens.append(Token(TokenKind.IDENT, match.group(), column))
            pos = match.end()
            continue
        if ch == '"':
            value, pos = _interpreted(text, pos, '"')
            tokens.append(Token(TokenKind.STRING, text[column - 1 : pos], column, value))
            continue
        if ch == "`":
            end = text.find("`", pos + 1)
            if end < 0:
                raise ExpressionError("raw string literal not terminated", column)
            tokens.append(Token(TokenKind.STRING, text[pos : end + 1], column, text[pos + 1 : end].replace("\r", "")))
            pos = end + 1
            continue
        if ch == "'":
            value, pos = _interpreted(text, pos, "'")
            if len(value) != 1:
                raise ExpressionError("a rune literal holds exactly one character", column)
            tokens.append(Token(TokenKind.CHAR, text[column - 1 : pos], column, ord(value)))
            continue
        for op in _OPERATORS:
            if text.startswith(op, pos):
                tokens.append(Token(TokenKind.OP, op, column))
                pos += len(op)
                break
        else:
            raise ExpressionError(f"unexpected character {ch!r}", column)
    tokens.append(Token(TokenKind.EOF, "", len(text) + 1))
    return tokens


def _number(text: str, pos: int, tokens: list[Token]) -> int:
    match = _NUMBER.match(text, pos)
    assert match is not None and match.end() > pos
    literal = match.group()
    column = pos + 1
    if match.end() < len(text) and (text[match.end()].isalnum() or text[match.end()] == "_"):
        raise ExpressionError(f"invalid number literal {text[pos : match.end() + 1]!r}", column)
    digits = literal.replace("_", "")
    imaginary = digits.endswith("i")
    if imaginary:
        digits = digits[:-1]
    try:
        if digits.lower().startswith(("0x", "0b", "0o")) and not any(c in digits.lower()[2:] for c in ".p"):
            value: object = int(digits, 0)
            kind = TokenKind.INT
        elif re.fullmatch(r"[0-9]+", digits):
            value = int(digits, 8) if len(digits) > 1 and digits.startswith("0") else int(digits)
            kind = TokenKind.INT
        else:
            value = float.fromhex(digits) if digits.lower().startswith("0x") else float(digits)
            kind = TokenKind.FLOAT
    except ValueError as exc:
        shown = literal if len(literal) <= 24 else literal[:20] + "…"
        raise ExpressionError(f"invalid or too large number literal {shown!r}", column) from exc
    if imaginary:
        kind, value = TokenKind.IMAG, complex(0, float(value))  # type: ignore[arg-type]
    tokens.append(Token(kind, literal, column, value))
    return match.end()


def _interpreted(text: str, pos: int, quote: str) -> tuple[str, int]:
    """The value of an interpreted string or rune literal starting at `pos`, and the end position."""
    column = pos + 1
    out: list[str] = []
    pos += 1
    while True:
        if pos >= len(text) or text[pos] == "\n":
            raise ExpressionError(
                "string literal not terminated" if quote == '"' else "rune literal not terminated", column
            )
        ch = text[pos]
        if ch == quote:
            return "".join(out), pos + 1
        if ch != "\\":
            out.append(ch)
            pos += 1
            continue
        pos += 1
        esc = text[pos] if pos < len(text) else ""
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
            pos += 1
        elif esc in "xuU01234567" and esc:
            width = {"x": 2, "u": 4, "U": 8}.get(esc, 3)
            start = pos + (0 if esc.isdigit() else 1)
            digits = text[start : start + width]
            base = 8 if esc.isdigit() else 16
            try:
                code = int(digits, base)
                if len(digits) != width:
                    raise ValueError
                out.append(chr(code))
            except ValueError as exc:
                raise ExpressionError(f"invalid escape \\{text[pos : start + width]}", pos) from exc
            pos = start + width
        else:
            raise ExpressionError(f"unknown escape sequence \\{esc}", pos)
