"""JSON text made ahead of the message it goes into, for bodies too big to build as dicts.

A thread list of 100,000 goroutines as dicts costs a dict and a name per entry, then json.dumps
walks them into one text, which is encoded, then copied into the frame: four copies of the list
alive at once. `thread_array` writes the entries straight into UTF-8 pieces instead, and the
message writer splices the pieces into the frame (codec.py).
"""

from __future__ import annotations

import json.encoder
from collections.abc import Iterable, Iterator

_encode_string = json.encoder.encode_basestring  # json.dumps' own, for ensure_ascii=False
_CHUNK = 4096  # entries joined into one piece


class RawJson:
    """One JSON value as UTF-8 pieces, written as is where the message holds it."""

    __slots__ = ("pieces",)

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def __repr__(self) -> str:
        return f"RawJson({sum(map(len, self.pieces)):,} bytes)"


def thread_array(threads: Iterable[tuple[int, str]]) -> RawJson:
    """The JSON array of DAP `Thread` objects for (id, name) pairs."""
    return RawJson(list(_pieces(threads)))


def _pieces(threads: Iterable[tuple[int, str]]) -> Iterator[bytes]:
    yield b"["
    encode, batch, first = _encode_string, [], True
    for thread_id, name in threads:
        batch.append(f'{{"id":{int(thread_id)},"name":{encode(name)}}}')
        if len(batch) == _CHUNK:
            yield (b"" if first else b",") + ",".join(batch).encode("utf-8")
            batch, first = [], False
    if batch:
        yield (b"" if first else b",") + ",".join(batch).encode("utf-8")
    yield b"]"
