"""Go syntax for scalar values: quoted strings, floats and complex numbers as `fmt`'s %v prints
them, durations as `time.Duration.String`, and times as RFC 3339.
"""

from __future__ import annotations

import datetime
import math
import struct
import unicodedata

_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v"}
_NOT_PRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})


def quote(data: bytes, limit: int | None = None) -> str:
    """`data` as strconv.Quote would write it; past `limit` bytes, `...+N more` is appended."""
    shown = data if limit is None or len(data) <= limit else data[:limit]
    out = ['"']
    text = shown.decode("utf-8", "surrogateescape")
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char == '"' or char == "\\":
            out.append("\\" + char)
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
        elif code == 0x20 or unicodedata.category(char) not in _NOT_PRINTABLE:
            out.append(char)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    if len(shown) < len(data):
        out.append(f"...+{len(data) - len(shown)} more")
    return "".join(out)


def _shortest_digits(value: float, bits: int) -> tuple[str, int]:
    """(digits, decimal exponent) of the shortest decimal that reads back as `value`."""
    if bits == 32:
        target = struct.pack("<f", value)
        for precision in range(1, 10):
            text = f"{value:.{precision}e}"
            try:
                if struct.pack("<f", float(text)) == target:
                    break
            except OverflowError:
                continue
        mantissa, exponent = text.split("e")
        digits = mantissa.replace(".", "").replace("-", "").rstrip("0") or "0"
        return digits, int(exponent)
    text = repr(abs(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        return mantissa.replace(".", "").rstrip("0") or "0", int(exponent)
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if whole != "0":
        return (whole + frac).rstrip("0") or "0", len(whole) - 1
    stripped = frac.lstrip("0")
    return stripped or "0", -(len(frac) - len(stripped)) - 1


def format_float(value: float, bits: int = 64) -> str:
    """strconv.FormatFloat(value, 'g', -1, bits): the shortest digits, %e for exponents < -4 or ≥ 6."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, exp = _shortest_digits(value, bits)
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    if len(digits) <= exp + 1:
        return sign + digits + "0" * (exp + 1 - len(digits))
    return f"{sign}{digits[: exp + 1]}.{digits[exp + 1 :]}"


def format_complex(real: float, imag: float, bits: int = 64) -> str:
    """fmt's %v of a complex number: (1.5-2i)."""
    imag_text = format_float(imag, bits)
    if not imag_text.startswith(("-", "+")):
        imag_text = "+" + imag_text
    return f"({format_float(real, bits)}{imag_text}i)"


def format_duration(ns: int) -> str:
    """time.Duration.String: 1h2m3.5s, 1.5ms, 0s."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < 1_000_000_000:
        for scale, unit in ((1, "ns"), (1_000, "µs"), (1_000_000, "ms")):
            if u < scale * 1000:
                return sign + _fraction(u, scale) + unit
    hours, rest = divmod(u, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = _fraction(rest, 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text


def _fraction(value: int, scale: int) -> str:
    whole, frac = divmod(value, scale)
    if not frac:
        return str(whole)
    width = len(str(scale)) - 1
    return f"{whole}.{str(frac).rjust(width, '0').rstrip('0')}"


_UNIX_TO_YEAR1 = 62135596800


def format_time(seconds_since_year1: int, nanoseconds: int, offset: int = 0, zone: str = "UTC") -> str:
    """RFC 3339 with nanoseconds (trailing zeros trimmed, like time.RFC3339Nano), then the zone name."""
    text = _date_time(seconds_since_year1, nanoseconds, offset, "T")
    if text is None:
        return _outside(seconds_since_year1)
    if offset == 0 and zone == "UTC":
        return text + "Z"
    text += _offset(offset, ":")
    return f"{text} {zone}" if zone else text


def format_time_string(seconds_since_year1: int, nanoseconds: int, offset: int = 0, zone: str = "UTC") -> str:
    """As Time.String prints: `2006-01-02 15:04:05.999999999 -0700 MST`."""
    text = _date_time(seconds_since_year1, nanoseconds, offset, " ")
    if text is None:
        return _outside(seconds_since_year1)
    return f"{text} {_offset(offset, '')} {zone or _offset(offset, '')}"


def _date_time(seconds_since_year1: int, nanoseconds: int, offset: int, separator: str) -> str | None:
    try:
        moment = datetime.datetime(1, 1, 1) + datetime.timedelta(seconds=seconds_since_year1 + offset)
    except OverflowError:
        return None
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"{separator}{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    return text + "." + f"{nanoseconds:09d}".rstrip("0") if nanoseconds else text


def _outside(seconds_since_year1: int) -> str:
    return f"time outside the years 1–9999 ({seconds_since_year1 - _UNIX_TO_YEAR1} s since 1970)"


def _offset(offset: int, separator: str) -> str:
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{sign}{hours:02d}{separator}{minutes:02d}"
