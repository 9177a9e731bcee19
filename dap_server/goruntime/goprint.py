"""Values formatted the way the Go runtime's `print` builtin formats them (used for panic values)."""

from __future__ import annotations

import math

_DIGITS = 7


def print_float(value: float) -> str:
    """runtime.printfloat: `+1.500000e+000`, `NaN`, `+Inf`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if value < 0 or (value == 0 and math.copysign(1.0, value) < 0) else "+"
    v = abs(value)
    exp = 0
    if v != 0:
        while v >= 10:
            exp += 1
            v /= 10
        while v < 1:
            exp -= 1
            v *= 10
        v += 5.0 / 10**_DIGITS
        if v >= 10:
            exp += 1
            v /= 10
    digits = []
    for _ in range(_DIGITS):
        d = int(v)
        digits.append(chr(ord("0") + d))
        v = (v - d) * 10
    esign = "-" if exp < 0 else "+"
    exp = abs(exp)
    return f"{sign}{digits[0]}.{''.join(digits[1:])}e{esign}{exp // 100}{exp // 10 % 10}{exp % 10}"


def print_complex(real: float, imag: float) -> str:
    return f"({print_float(real)}{print_float(imag)}i)"


def indented(text: str) -> str:
    """runtime.printindented: newlines in a panic message are followed by a tab."""
    return text.replace("\n", "\n\t")
