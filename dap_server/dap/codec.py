"""Content-Length framing of DAP messages over binary streams.

A frame is header lines ending in CRLF, an empty line, then exactly Content-Length
bytes of body. Header names are matched case-insensitively, in any order, and
headers other than Content-Length are ignored. Anything that makes the next frame
boundary uncertain raises `FramingError`: after that the stream cannot be trusted.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from functools import partial
from typing import Any, Protocol

from .raw_json import RawJson

DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024
MAX_HEADER_LINE = 8 * 1024
MAX_HEADER_LINES = 32
CONTENT_LENGTH = b"content-length"
# What json.dumps writes in place of a RawJson value, then replaced by its pieces. Random per
# process: no string of the debuggee's can be it.
_RAW_MARK = f"\0godap-raw-{os.urandom(8).hex()}\0"
_RAW_MARK_TEXT = json.dumps(_RAW_MARK)


class ByteSource(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...


class FramingError(Exception):
    """The input cannot be split into frames; the reason is the message."""


class TruncatedFrame(FramingError):
    """The input ended inside a frame (as opposed to a clean end between frames)."""


class FrameReader:
    """Reads frame bodies from a blocking, buffered binary stream."""

    def __init__(self, stream: ByteSource, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> None:
        self._stream = stream
        self._max_body_size = max_body_size

    def read_frame(self) -> bytes | None:
        """Return the next body, or None at a clean end of input."""
        content_length: int | None = None
        header_lines = 0
        while True:
            line = self._stream.readline(MAX_HEADER_LINE + 1)
            if not line:
                if header_lines == 0 and content_length is None:
                    return None
                raise TruncatedFrame("input ended inside a message header")
            if not line.endswith(b"\n"):
                if len(line) > MAX_HEADER_LINE:
                    raise FramingError(f"header line longer than {MAX_HEADER_LINE} bytes")
                raise TruncatedFrame("input ended inside a message header")
            if not line.endswith(b"\r\n"):
                raise FramingError(f"header line {_show(line)} does not end with CRLF")
            line = line[:-2]
            if not line:
                break
            header_lines += 1
            if header_lines > MAX_HEADER_LINES:
                raise FramingError(f"more than {MAX_HEADER_LINES} header lines")
            name, colon, value = line.partition(b":")
            if not colon:
                raise FramingError(f"header line {_show(line)} has no ':'")
            if name.strip().lower() == CONTENT_LENGTH:
                if content_length is not None:
                    raise FramingError("Content-Length header given twice")
                content_length = self._parse_length(value.strip())
        if content_length is None:
            raise FramingError("message header has no Content-Length")
        return self._read_body(content_length)

    def _parse_length(self, value: bytes) -> int:
        if not value.isdigit():
            raise FramingError(f"Content-Length {_show(value)} is not a non-negative integer")
        if len(value) > 18 or int(value) > self._max_body_size:
            raise FramingError(f"Content-Length {value.decode()} exceeds the limit of {self._max_body_size} bytes")
        return int(value)

    def _read_body(self, length: int) -> bytes:
        chunks = []
        remaining = length
        while remaining:
            chunk = self._stream.read(remaining)
            if not chunk:
                raise TruncatedFrame(f"input ended after {length - remaining} of {length} body bytes")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


class MessageWriter:
    """Writes JSON messages as frames; safe to call from any thread.

    The writer also numbers outgoing messages: `seq` is assigned under the same lock
    as the write, so the numbers on the wire start at 1 and always increase.
    """

    def __init__(self, stream: ByteSink) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._last_seq = 0

    def write(self, message: Mapping[str, Any]) -> int:
        """Stamp `seq` on `message`, write it and return the seq.

        A message that is not serialisable raises ValueError/TypeError before anything
        is written or numbered; stream errors (a closed stream too) raise OSError.
        """
        with self._lock:
            seq = self._last_seq + 1
            raws: list[RawJson] = []
            text = json.dumps(
                {"seq": seq, **message},
                ensure_ascii=False,
                separators=(",", ":"),
                allow_nan=False,
                default=partial(_mark_raw, raws),
            )
            body = _spliced(text, raws) if raws else [text.encode("utf-8")]
            self._last_seq = seq
            try:
                # One write: a frame is sent whole or not at all (a client gone mid-frame sees no torn one).
                self._stream.write(b"".join([b"Content-Length: %d\r\n\r\n" % sum(map(len, body)), *body]))
                self._stream.flush()
            except ValueError as exc:  # the stream was closed under us: as gone as a broken pipe
                raise BrokenPipeError(str(exc)) from exc
            return seq


def _mark_raw(raws: list[RawJson], value: object) -> str:
    if type(value) is not RawJson:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    raws.append(value)
    return _RAW_MARK


def _spliced(text: str, raws: list[RawJson]) -> list[bytes]:
    """The message's UTF-8 pieces with each RawJson's pieces where json.dumps marked it."""
    around = text.split(_RAW_MARK_TEXT)
    if len(around) != len(raws) + 1:
        raise ValueError("a string of the message holds the mark of a raw JSON value")
    pieces = [around[0].encode("utf-8")]
    for raw, after in zip(raws, around[1:], strict=True):
        pieces += raw.pieces
        pieces.append(after.encode("utf-8"))
    return pieces


def _show(raw: bytes, limit: int = 60) -> str:
    return repr(raw[:limit]) + ("..." if len(raw) > limit else "")
