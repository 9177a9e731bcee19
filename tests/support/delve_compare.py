"""Whether godap's answer to an expression means what Delve's test expects.

Both print Go values in one line, in close but different styles. The comparison reduces each
text to its leaves, in order: string literals (decoded), numbers (as numbers), `true`, `false`,
`nil`, field and `len`/`cap` labels, function names, the word `unreadable`; type names and
punctuation are not leaves (the type is compared on its own). The differences accepted, and why:

* spacing and separators (`[1, 2]` / `[1,2]`, `(1+2i)` / `(1 + 2i)`, Delve's trailing `, ]`);
* type names inside a value: Delve repeats some nested types (`A: main.A {val: 42}`,
  `*main.C nil`), godap names a type where it is not already known from the container;
* a `uintptr` in hexadecimal (godap `0x5`, Delve `5`): the same number;
* a `[]uint8` or `[N]uint8` godap shows as the string its bytes spell (`"tèst"`), Delve as numbers:
  the string's UTF-8 bytes are compared with Delve's numbers;
* lengths Delve leaves out (a map's `len: N`, lengths inside an interface): dropped from godap's
  text where Delve's has none;
* a constant of a type with named constants: Delve adds the names (`constTwo (2)`), godap the value;
* a function value: godap adds its source position (`main.afunc (testvariables2.go:79)`);
* an elided rest: Delve's expectation ends in `…` (it states a prefix), or either side writes a
  nested value it did not load as `...` / `[...]`: the leaves are compared up to there;
* a C string (`char *`) Delve read to its load limit, 64 bytes, and marked `...+1 more` inside
  the quotes: godap reads to the NUL; the text is compared as a prefix;
* a pointer Delve shows as its address `(*T)(0x…)` where godap shows what it points to: Delve's
  expectation states nothing past the `(`, which the prefix rule covers;
* types: `byte`/`uint8` and `rune`/`int32` are one type; Delve writes no type for untyped
  constants and results, godap `untyped int` and so on; Delve types a function named by itself
  `func()` whatever its signature (`afunc` is a `func(int) int`), godap gives the signature
  from DWARF; Delve spells `[0]struct {}` as `[0]struct struct {}`; Delve names a C struct
  value without its keyword (`align_check`, though `*struct align_check` behind a pointer),
  godap as C does (`struct align_check`);
* errors: only failing is compared, not the message (Delve's words are its own).
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

_LEAF = re.compile(
    r"""(?P<string>"(?:[^"\\]|\\.)*")
      | (?P<label>[A-Za-z_~][\w]*:(?!\d))
      | (?P<elided>\.\.\.|…)
      | (?P<number>[-+]?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:e[-+]?\d+)?|Inf)|NaN)
      | (?P<word>[A-Za-z_][\w./-]*(?:\(\*?\w+\)\.[\w.]+)?)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_POSITION = re.compile(r" \([^()\s]+\.(?:go|c):\d+\)")
_ADDRESS = re.compile(r"\(\*[^()]+\)\(0x[0-9a-f]+\)")
_SAME_TYPES = {("uint8", "byte"), ("int32", "rune"), ("byte", "uint8"), ("rune", "int32")}
_LOAD_LIMIT = re.compile(r"\.\.\.\+\d+ more$")  # Delve's mark of a C string cut at its load limit
_FUNCTION_NAME = re.compile(r"^[\w./]+(?:\.\(\*?\w+\))?(?:\.[\w]+)+$")

Leaf = str | int | float | tuple[str, str]


@dataclass(frozen=True)
class Verdict:
    agree: bool
    why: str = ""


def _number(text: str) -> int | float:
    if text.lstrip("+-").lower().startswith("0x"):
        return int(text, 16)
    if text in ("+Inf", "Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    value = float(text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text else value


def leaves(text: str, *, bytes_as_string: bool = False) -> tuple[list[Leaf], bool]:
    """The leaves of a value's text and whether the text elides a rest."""
    text = _ADDRESS.sub("…", _POSITION.sub("", text))
    found: list[Leaf] = []
    for match in _LEAF.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind == "elided":
            return found, True
        if kind == "string":
            value = ast.literal_eval(token) if "\\" in token else token[1:-1]
            cut = _LOAD_LIMIT.search(value)
            if cut is not None:
                found.append(("prefix", value[: cut.start()]))
                return found, True
            if bytes_as_string:
                found.extend(value.encode("utf-8", "surrogateescape"))
            else:
                found.append(("s", value))
        elif kind == "label":
            found.append(("label", token[:-1]))
        elif kind == "number":
            found.append(_number(token))
        elif kind == "word" and (token in ("true", "false", "nil", "unreadable") or _function_value(text, match)):
            found.append(("w", token))
    return found, False


def _function_value(text: str, match: re.Match[str]) -> bool:
    """A qualified name standing as a value (a function), not as a type."""
    if not _FUNCTION_NAME.match(match.group()) or text[: match.start()].endswith(("map[", "(", "]")):
        return False
    rest = text[match.end() :].lstrip()
    return rest == "" or rest[0] in ",]}"


def _without_lengths(found: list[Leaf]) -> list[Leaf]:
    out: list[Leaf] = []
    skip = False
    for leaf in found:
        if skip:
            skip = False
            continue
        if isinstance(leaf, tuple) and leaf[0] == "label" and leaf[1] in ("len", "cap"):
            skip = True
            continue
        out.append(leaf)
    return out


def _map_lengths_dropped(found: list[Leaf]) -> list[Leaf]:
    """godap's `len: N` not followed by `cap:` (a map's length) removed."""
    out: list[Leaf] = []
    i = 0
    while i < len(found):
        leaf = found[i]
        following = found[i + 2] if i + 2 < len(found) else None
        if leaf == ("label", "len") and following != ("label", "cap"):
            i += 2
            continue
        out.append(leaf)
        i += 1
    return out


def _same_leaf(a: Leaf, b: Leaf) -> bool:
    if isinstance(b, tuple) and b[0] == "prefix":
        return isinstance(a, tuple) and a[0] == "s" and a[1].startswith(b[1])
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return a == b or ((isinstance(a, float) or isinstance(b, float)) and math.isclose(a, b, rel_tol=1e-6))
    return a == b


def same_value(ours: str, expected: str, expected_type: str) -> Verdict:
    """Whether godap's text `ours` means Delve's `expected` value (of type `expected_type`)."""
    if expected.startswith("(unreadable"):
        return Verdict("unreadable" in ours, "Delve reads it as unreadable")
    if _FUNCTION_NAME.match(expected):
        return Verdict(_POSITION.sub("", ours).split(" ")[-1] == expected or expected in ours.split(), "function")
    bytes_type = re.search(r"(?:^|\])uint8$", expected_type) is not None
    theirs, their_cut = leaves(expected)
    mine, my_cut = leaves(ours, bytes_as_string=bytes_type)
    if ("label", "len") not in theirs or (bytes_type and ("label", "len") not in mine):
        theirs = _without_lengths(theirs)
        mine = _without_lengths(mine)
    if ("label", "len") in theirs:
        mine = _map_lengths_dropped(mine)
    theirs = _map_lengths_dropped(theirs)
    n = min(len(theirs), len(mine))
    if their_cut or my_cut:
        shorter_ok = (their_cut and len(theirs) <= len(mine)) or (my_cut and len(mine) <= len(theirs))
        agree = shorter_ok and all(_same_leaf(a, b) for a, b in zip(mine[:n], theirs[:n], strict=True))
    else:
        agree = len(theirs) == len(mine) and all(_same_leaf(a, b) for a, b in zip(mine, theirs, strict=True))
    return Verdict(agree, "" if agree else f"leaves {mine[:12]} vs {theirs[:12]}")


def same_type(ours: str, expected: str) -> bool:
    if expected == "func()" and ours.startswith("func("):
        return True
    expected = expected.replace("struct struct {", "struct {")
    c_struct = ours.startswith("struct ") and ours.removeprefix("struct ") == expected
    return not expected or ours == expected or (ours, expected) in _SAME_TYPES or c_struct
