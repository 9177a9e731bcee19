"""The kinds of runtime type descriptors (`internal/abi.Kind`), kept apart from the values engine so
that code needing only the enum (the crash explanation) does not load the whole engine."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class AbiKind(IntEnum):
    """internal/abi.Kind: the kind byte of a type descriptor (masked), Go 1.21–1.27."""

    INVALID = 0
    BOOL = 1
    INT = 2
    INT8 = 3
    INT16 = 4
    INT32 = 5
    INT64 = 6
    UINT = 7
    UINT8 = 8
    UINT16 = 9
    UINT32 = 10
    UINT64 = 11
    UINTPTR = 12
    FLOAT32 = 13
    FLOAT64 = 14
    COMPLEX64 = 15
    COMPLEX128 = 16
    ARRAY = 17
    CHAN = 18
    FUNC = 19
    INTERFACE = 20
    MAP = 21
    POINTER = 22
    SLICE = 23
    STRING = 24
    STRUCT = 25
    UNSAFE_POINTER = 26


class RuntimeType(NamedTuple):
    """What a descriptor says about its type, without building a GoType."""

    addr: int
    size: int
    kind: AbiKind
    name: str
