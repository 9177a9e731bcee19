"""String() of well-known standard library types, computed from their fields as Go's own code
computes it (net/url.URL, net.IP, time.Time): a core cannot run the method, but its result is a
pure function of the value."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from .base import Value
from .context import Unreadable
from .pointers import PointerValue
from .structs import StructValue, TimeValue

_UNRESERVED = frozenset(b"-_.~")
_HOST_KEPT = frozenset(b"!$&'()*+,;=:[]<>\"")
_RESERVED = frozenset(b"$&+,/:;=?@")
_ENCODE_PATH, _ENCODE_HOST, _ENCODE_USER, _ENCODE_FRAGMENT = range(4)


def string_method(receiver: Value) -> str | None:
    """What `receiver.String()` returns, when godap knows how to compute it (None otherwise)."""
    value = receiver
    if isinstance(value, PointerValue) and value.gotype.elem is not None:
        value = value.pointee() or value
    compute = _STRINGERS.get(value.type_name)
    return compute(value) if compute is not None else None


def _time(value: Value) -> str:
    assert isinstance(value, TimeValue)
    return value.go_string()


def _ip(value: Value) -> str:
    """net.IP.String: 4 or 16 bytes (IPv4 in IPv6 printed dotted), `<nil>` when empty."""
    raw = b"".join(item.read(0, 1) for item in value.indexed_children(0, 17))
    if not raw:
        return "<nil>"
    if len(raw) == 16 and raw[:12] == b"\0" * 10 + b"\xff\xff":
        raw = raw[12:]
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw))
    if len(raw) == 16:
        return str(ipaddress.IPv6Address(raw))
    return "?" + raw.hex()


def _text(struct: StructValue, name: str) -> str:
    return struct.field_named(name).full_string() or ""


def _flag(struct: StructValue, name: str) -> bool:
    return any(f.name == name for f in struct.gotype.fields) and struct.field_named(name).read(0, 1) != b"\0"


def _url(value: Value) -> str:
    """net/url.URL.String, from its fields."""
    if not isinstance(value, StructValue):
        raise Unreadable(f"{value.type_name} is not a struct")
    scheme, opaque, host = _text(value, "Scheme"), _text(value, "Opaque"), _text(value, "Host")
    user = value.field_named("User")
    userinfo = user.pointee() if isinstance(user, PointerValue) else None
    out = f"{scheme}:" if scheme else ""
    if opaque:
        out += opaque
    else:
        omit_host = _flag(value, "OmitHost") and not host and userinfo is None
        if (scheme or host or userinfo is not None) and not omit_host:
            if host or _text(value, "Path") or userinfo is not None:
                out += "//"
            if isinstance(userinfo, StructValue):
                out += _userinfo(userinfo) + "@"
            out += _escape(host, _ENCODE_HOST)
        path = _escaped(_text(value, "Path"), _text(value, "RawPath"), _ENCODE_PATH)
        if path and path[0] != "/" and host:
            out += "/"
        if not out and ":" in path.split("/", 1)[0]:
            out += "./"
        out += path
    query = _text(value, "RawQuery")
    if _flag(value, "ForceQuery") or query:
        out += "?" + query
    fragment = _text(value, "Fragment")
    if fragment:
        raw = _text(value, "RawFragment") if any(f.name == "RawFragment" for f in value.gotype.fields) else ""
        out += "#" + _escaped(fragment, raw, _ENCODE_FRAGMENT)
    return out


def _userinfo(info: StructValue) -> str:
    text = _escape(_text(info, "username"), _ENCODE_USER)
    if _flag(info, "passwordSet"):
        text += ":" + _escape(_text(info, "password"), _ENCODE_USER)
    return text


def _escaped(plain: str, raw: str, mode: int) -> str:
    """The raw form when it decodes to the plain one (url.URL.EscapedPath), else the escaped."""
    if raw and _unescape(raw) == plain:
        return raw
    if mode == _ENCODE_PATH and plain == "*":
        return "*"
    return _escape(plain, mode)


def _unescape(text: str) -> str | None:
    out, i, data = bytearray(), 0, text.encode()
    while i < len(data):
        if data[i] == ord("%"):
            try:
                out.append(int(data[i + 1 : i + 3], 16))
            except ValueError:
                return None
            i += 3
        else:
            out.append(data[i])
            i += 1
    return out.decode("utf-8", "replace")


def _should_escape(c: int, mode: int) -> bool:
    """url.shouldEscape for the modes String uses."""
    if chr(c).isascii() and chr(c).isalnum():
        return False
    if mode == _ENCODE_HOST and c in _HOST_KEPT:
        return False
    if c in _UNRESERVED:
        return False
    if c in _RESERVED:
        if mode == _ENCODE_PATH:
            return c == ord("?")
        if mode == _ENCODE_USER:
            return c in b"@/?:"
        return mode != _ENCODE_FRAGMENT and mode != _ENCODE_HOST
    if mode == _ENCODE_FRAGMENT and c in b"!()*":
        return False
    return not (mode == _ENCODE_HOST and c >= 0x80)


def _escape(text: str, mode: int) -> str:
    return "".join(f"%{c:02X}" if _should_escape(c, mode) else chr(c) for c in text.encode())


_STRINGERS: dict[str, Callable[[Value], str]] = {"net/url.URL": _url, "net.IP": _ip, "time.Time": _time}
