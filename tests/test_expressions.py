"""Go expressions on a real core: every operator and every kind, valid and invalid.

Expected results come from the fixture's source (tests/fixtures/programs/values/globals.go and
holders.go). Expressions run against the package globals of `main` (the scope of a frame of
package main), so that optimized builds give the same answers; a few run in a holder's frame.
"""

from __future__ import annotations

import pytest
from test_values_support import OPTIMIZED_AWAY, ValuesCore, values_core

from dap_server.goruntime.expr.errors import ExpressionError
from dap_server.goruntime.expr.evaluate import evaluate
from dap_server.goruntime.expr.evaluate_scope import ExpressionScope

__all__ = ["values_core"]

# (expression, summary of the result or "!" + the start of the error, type of the result)
VALID: list[tuple[str, str, str]] = [
    # names, package-qualified names, quoted package paths
    ("gInt", "-42", "int"),
    ("main.gInt", "-42", "int"),
    ('"main".gInt8', "-8", "int8"),
    ("gUint64", "9223372036854775813", "uint64"),
    ("gUintptr", "0xdeadbeef", "uintptr"),
    ("gFloat32", "1.5", "float32"),
    ("gBool", "true", "bool"),
    ("gString", '"hello, 世界\\n\\"quoted\\""', "string"),
    ("gColor", "3", "main.Color"),
    # literals and predeclared names
    ("42", "42", "untyped int"),
    ("0x1F", "31", "untyped int"),
    ("1.5", "1.5", "untyped float"),
    ("2i", "(0+2i)", "untyped complex"),
    ("'a'", "97", "untyped rune"),
    ('"a\\tb"', '"a\\tb"', "untyped string"),
    ("true", "true", "untyped bool"),
    ("nil", "nil", "nil"),
    ("10000000000000000000000", "10000000000000000000000", "untyped int"),
    # arithmetic: untyped constants exact, typed values wrap, integer division truncates
    ("1 + 2*3", "7", "untyped int"),
    ("7 / 2", "3", "untyped int"),
    ("-7 / 2", "-3", "untyped int"),
    ("-7 % 3", "-1", "untyped int"),
    ("7.0 / 2", "3.5", "untyped float"),
    ("1 / 2.0", "0.5", "untyped float"),
    ("gInt + 1", "-41", "int"),
    ("gInt * gInt", "1764", "int"),
    ("gInt / 5", "-8", "int"),
    ("gInt % 5", "-2", "int"),
    ("gInt8 * 100", "-32", "int8"),
    ("gUint8 + 100", "44", "uint8"),
    ("gUint64 + gUint64", "10", "uint64"),
    ("gFloat64 * 2", "6.5", "float64"),
    ("gFloat32 / 4", "0.375", "float32"),
    ("gComplex * 2", "(3-4i)", "complex128"),
    ("gColor + 1", "4", "main.Color"),
    ("gDuration * 2", "time.Duration 3m0s", "time.Duration"),
    ("-gInt", "42", "int"),
    ("^0", "-1", "untyped int"),
    ("^gUint8", "55", "uint8"),
    ("gInt & 0xff", "214", "int"),
    ("gInt | 1", "-41", "int"),
    ("gInt ^ -1", "41", "int"),
    ("gInt &^ 2", "-44", "int"),
    # shifts
    ("1 << 3", "8", "untyped int"),
    ("1 << 70", "1180591620717411303424", "untyped int"),
    ("gInt8 << 7", "0", "int8"),
    ("gInt >> 1", "-21", "int"),
    ("gUint8 >> 3", "25", "uint8"),
    # strings
    ('"a" + "b"', '"ab"', "untyped string"),
    ('gString + "!"', '"hello, 世界\\n\\"quoted\\"!"', "string"),
    ("gString[1]", "101", "uint8"),
    ("gString[0:5]", '"hello"', "string"),
    ("len(gString)", "22", "int"),
    ('len("héllo")', "6", "untyped int"),
    # comparison and logic
    ('gString == "x"', "false", "untyped bool"),
    ('gSlice[0] < "b"', "true", "untyped bool"),
    ("gInt < 0 && gBool", "true", "untyped bool"),
    ("gInt > 0 || !gBool", "false", "untyped bool"),
    ("gFloat64 >= 3.25", "true", "untyped bool"),
    ("gNilPtr == nil", "true", "untyped bool"),
    ("gPtr != nil", "true", "untyped bool"),
    ("gNilMap == nil", "true", "untyped bool"),
    ("gNilSlice == nil", "true", "untyped bool"),
    ("gAnyNil == nil", "true", "untyped bool"),
    ("gErr != nil", "true", "untyped bool"),
    ('gDerived.Base == main.Base{ID: 7, Name: "seven"}', "true", "untyped bool"),
    ("gArray == [4]int{1, 2, 3, 4}", "true", "untyped bool"),
    # indexing, slicing, maps
    ("gArray[2]", "3", "int"),
    ("gMatrix[1][0]", "3", "int"),
    ("gSlice[1]", '"b"', "string"),
    ("gLongSlice[999]", "999", "int"),
    ("gSubSlice[0]", "2", "int"),
    ("gSlice[1:]", '[]string len: 1, cap: 1, ["b"]', "[]string"),
    ("gArray[1:3]", "[]int len: 2, cap: 3, [2, 3]", "[]int"),
    ("gSubSlice[1:2:4]", "[]int len: 1, cap: 3, [3]", "[]int"),
    ("len(gSubSlice)", "3", "int"),
    ("cap(gSubSlice)", "8", "int"),
    ("len(gArray)", "4", "int"),
    ('gMap["two"]', "2", "int"),
    ("len(gMap)", "3", "int"),
    ("gBigMap[1999]", '"v1999"', "string"),
    ("gStructKeyMap[main.Point{1, 2}]", '"a"', "string"),
    ("gStructKeyMap[Point{X: 3, Y: 4}]", '"b"', "string"),
    ('gSliceMap["xs"][1]', "2", "int"),
    ('gBigValueMap["big"].S', '"large"', "string"),
    ("len(gBufChan)", "4", "int"),
    ("cap(gBufChan)", "4", "int"),
    # fields through pointers and embedding, dereference, address
    ("gPtr.X", "1", "int"),
    ("(*gPtr).Y", "2", "int"),
    ("*gPtr", "main.Point {X: 1, Y: 2}", "main.Point"),
    ("**gPtrPtr", "main.Point {X: 1, Y: 2}", "main.Point"),
    ("gDerived.ID", "7", "int"),
    ("gDerived.Base.Name", '"seven"', "string"),
    ("gDerived.X", "8", "int"),
    ("gDerived.Point.Y", "9", "int"),
    ("gList.Next.Next.Value", "3", "int"),
    ("gCycle.Next.Next.Next.Value", "100", "int"),
    ("gPair.Val", "7", "int"),
    ("gVersion.GitRefs[1]", '"tags/1.5.1"', "string"),
    ("gAnonStruct.B", '"anon"', "string"),
    ("*&gInt", "-42", "int"),
    ("(&gDerived).Score", "0.5", "float64"),
    # conversions
    ("int8(300)", "44", "int8"),
    ("uint8(gInt)", "214", "uint8"),
    ("float64(gInt)", "-42", "float64"),
    ("int(gFloat64)", "3", "int"),
    ("int(-2.0)", "-2", "int"),
    ("complex128(gFloat64)", "(3.25+0i)", "complex128"),
    ("string(gRune)", '"é"', "string"),
    ("string(gBytes)", '"bytes\\x00\\xff"', "string"),
    ("[]byte(gString)[0]", "104", "uint8"),
    ("main.Color(gInt8)", "-8", "main.Color"),
    ("(*main.Point)(gPtr).X", "1", "int"),
    ("(*Point)(unsafe.Pointer(gPtr)).Y", "2", "int"),
    ("uintptr(gUintptr) + 1", "0xdeadbef0", "uintptr"),
    ("(*main.Point)(0)", "*main.Point nil", "*main.Point"),
    # type assertions
    ("gShape.(main.Rect).W", "3", "float64"),
    ("gShapePtr.(*main.Circle).R", "2", "float64"),
    ("gAnyInt.(int)", "42", "int"),
    ('gAnyString.(string) + "!"', '"str!"', "string"),
    ("gAnyPoint.(main.Point).Y", "6", "int"),
    # builtins on complex numbers
    ("real(gComplex)", "1.5", "float64"),
    ("imag(gComplex)", "-2", "float64"),
    ("complex(1, 2)", "(1+2i)", "untyped complex"),
]

INVALID: list[tuple[str, str]] = [
    ("foo", "could not find symbol value for foo"),
    ("main.nothere", "could not find symbol value for main.nothere"),
    ("nosuchpkg.X", "could not find symbol value for nosuchpkg"),
    ("gSlice[7]", "invalid index 7 (len 2)"),
    ("gArray[-1]", "invalid index -1 (len 4)"),
    ("gString[22]", "invalid index 22 (len 22)"),
    ("gSlice[1:5]", "invalid slice indices 1:5"),
    ('gMap["zzz"]', 'key "zzz" not found'),
    ("gStructKeyMap[main.Point{9, 9}]", "not found"),
    ("gInt + gInt8", 'mismatched types "int" and "int8"'),
    ("gInt + 1.5", "constant 1.5 truncated to integer"),
    ("gInt8 + 300", "constant 300 overflows int8"),
    ("gInt / 0", "integer divide by zero"),
    ("1 / 0", "integer divide by zero"),
    ('gString - "a"', "operator - not defined"),
    ("gBool + 1", "cannot use 1 (untyped int constant) as bool value"),
    ("!gInt", "operator ! not defined"),
    ("gFloat64 % 2", "operator % not defined"),
    ("1 << -1", "invalid shift count -1"),
    ("1 << 100000", "shift count 100000 too large"),
    ("gFloat64 << 1", "not an integer"),
    ("*gInt", "invalid indirect of int"),
    ("*gNilPtr", "nil pointer dereference"),
    ("gNilPtr.X", "nil pointer dereference"),
    ("gPtr.Z", "*main.Point has no field Z"),
    ("gInt.X", "int has no field X"),
    ("gAnyInt.(string)", "interface conversion: interface {} is int, not string"),
    ("gAnyNil.(int)", "interface conversion: interface is nil, not int"),
    ("gInt.(int)", "is not an interface"),
    ("&42", "cannot take the address of 42"),
    ("gSlice == gSlice", "can only be compared to nil"),
    ("len(gInt)", "invalid argument for len: int"),
    ("main.NoType(1)", "could not find symbol value for main.NoType"),
    ("handler(1)", "godap runs no code in the target"),
    ("gSlice[gFloat64]", "index must be an integer"),
    ("(gInt", "expected ')'"),
    ("gInt +", "expected an operand"),
    ("gMap[", "expected an operand"),
    ('"unterminated', "string literal not terminated"),
    ("1 +* 2", "invalid indirect"),
]


@pytest.mark.parametrize(("expression", "summary", "type_name"), VALID, ids=[e for e, _, _ in VALID])
def test_valid_expression(values_core: ValuesCore, expression: str, summary: str, type_name: str) -> None:
    value = evaluate(_scope(values_core), expression)
    assert (value.summary, value.type_name) == (summary, type_name)
    assert value.name == expression


@pytest.mark.parametrize(("expression", "message"), INVALID, ids=[e for e, _ in INVALID])
def test_invalid_expression_says_why_and_where(values_core: ValuesCore, expression: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate(_scope(values_core), expression)
    assert message in caught.value.message
    assert caught.value.column is not None and 1 <= caught.value.column <= len(expression) + 1


def _scope(vc: ValuesCore) -> ExpressionScope:
    return ExpressionScope(vc.process, vc.frame("holdComposite"))


def test_error_columns_point_at_the_failing_part(values_core: ValuesCore) -> None:
    cases = {"gInt + foo": 8, "gSlice[7]": 8, "gPtr.Z": 5, "gInt + gInt8": 6}
    for expression, column in cases.items():
        with pytest.raises(ExpressionError) as caught:
            evaluate(_scope(values_core), expression)
        assert caught.value.column == column, expression


def test_results_expand_with_go_expressions(values_core: ValuesCore) -> None:
    value = evaluate(_scope(values_core), "gDerived")
    assert value.evaluate_name == "gDerived"
    fields = {child.name: child for child in value.children()}
    assert fields["Base"].evaluate_name == "gDerived.Base"
    items = evaluate(_scope(values_core), "gSlice[0:2]").indexed_children(0, 2)
    assert [item.evaluate_name for item in items] == ["gSlice[0:2][0]", "gSlice[0:2][1]"]
    for item in items:
        assert evaluate(_scope(values_core), item.evaluate_name or "").summary == item.summary


@pytest.mark.build_modes("noopt")
def test_frame_arguments_locals_and_unnamed_results(values_core: ValuesCore) -> None:
    scope = ExpressionScope(values_core.process, values_core.frame("holdComposite"))
    assert evaluate(scope, "p.X + pp.Y").summary == "5"
    assert evaluate(scope, "arr[2] * count").summary == "28"
    assert evaluate(scope, 'm["k"]').summary == "1"
    assert evaluate(scope, "d.Name").summary == '"seven"'
    assert evaluate(scope, "p == Point{1, 2}").summary == "true"
    assert evaluate(scope, "gInt").summary == "-42"  # the frame's package globals come next
    generic = ExpressionScope(values_core.process, values_core.frame("holdGeneric"))
    assert evaluate(generic, "~r0").summary != OPTIMIZED_AWAY
    named = ExpressionScope(values_core.process, values_core.frame("holdNamed"))
    assert evaluate(named, "result").summary == "42"
    assert evaluate(named, "in * 2 == result").summary == "true"


@pytest.mark.build_modes("noopt")
def test_the_innermost_declaration_wins(values_core: ValuesCore) -> None:
    scope = ExpressionScope(values_core.process, values_core.frame("holdShadow"))
    assert evaluate(scope, "x").summary == '"inner"'
    assert evaluate(scope, "y").summary == "42"
