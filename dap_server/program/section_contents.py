"""One section's contents, inflated from the front only as far as readers have asked.

Go links DWARF zlib-compressed. The runtime's struct types sit in the first third of
`.debug_info`, so opening a core (which needs only those) inflates a third of the section;
the rest is inflated when a request first reaches past it.
"""

from __future__ import annotations

import struct
import threading
import zlib

from .errors import ProgramError

COMPRESSION_HEADER = struct.Struct("<IIQQ")
ELFCOMPRESS_ZLIB = 1
MAX_SECTION_SIZE = 1 << 31
MAX_INFLATION = 256  # DWARF compresses 3-10×; more than this is a decompression bomb
_STEP = 1 << 20


class SectionContents:
    """The bytes of one section: given whole, or inflated on demand from a SHF_COMPRESSED body."""

    def __init__(self, where: str, raw: bytes, compressed: bool) -> None:
        self._where = where
        self._inflater: zlib._Decompress | None = None
        self._lock = threading.Lock()
        self._compressed = b""
        self._pending = b""
        self._front = bytearray()
        self._whole = b""
        if not compressed:
            self._whole = raw
            self.size = len(raw)
            return
        if len(raw) < COMPRESSION_HEADER.size:
            raise ProgramError(f"{where} is compressed but has no compression header")
        ch_type, _, ch_size, _ = COMPRESSION_HEADER.unpack_from(raw)
        if ch_type != ELFCOMPRESS_ZLIB:
            raise ProgramError(f"{where} uses compression type {ch_type}, not zlib")
        if ch_size > min(MAX_SECTION_SIZE, MAX_INFLATION * len(raw)):
            raise ProgramError(f"{where} claims {ch_size} bytes when inflated from {len(raw)}")
        self.size = ch_size
        self._compressed = self._pending = raw[COMPRESSION_HEADER.size :]
        self._inflater = zlib.decompressobj()
        if ch_size == 0:
            self._finish()

    @property
    def complete(self) -> bool:
        return self._inflater is None

    def front(self, end: int) -> bytes | bytearray:
        """At least the first `end` bytes (all of them when the section is shorter). The result
        is only valid until the next call: copy what must outlive it."""
        if self._inflater is None:
            return self._whole
        with self._lock:
            while self._inflater is not None and len(self._front) < end:
                self._step(max(end - len(self._front), _STEP))
            return self._whole if self._inflater is None else self._front

    def whole(self) -> bytes:
        """All of the section's bytes."""
        return bytes(self.front(self.size))

    def inflate_aside(self) -> None:
        """Inflate the whole section apart from its readers, then hand it to them. Meant for a
        background thread: zlib runs without the GIL, and readers keep the front they have (and
        inflate more themselves) until it is done. Damage is left for readers to report."""
        if self._inflater is None:
            return
        try:
            data = zlib.decompressobj().decompress(self._compressed, self.size)
        except zlib.error:
            return
        with self._lock:
            if self._inflater is not None and len(data) == self.size:
                self._install(data)

    def _step(self, want: int) -> None:
        assert self._inflater is not None
        try:
            chunk = self._inflater.decompress(self._pending, want)
        except zlib.error as exc:
            raise ProgramError(f"{self._where} is corrupt: {exc}") from exc
        self._pending = self._inflater.unconsumed_tail
        self._front += chunk[: self.size - len(self._front)]
        if len(self._front) >= self.size or not chunk or self._inflater.eof:
            self._finish()

    def _finish(self) -> None:
        if len(self._front) != self.size:
            raise ProgramError(f"{self._where} inflates to {len(self._front)} bytes, not {self.size}")
        self._install(bytes(self._front))

    def _install(self, whole: bytes) -> None:
        self._whole = whole
        self._front = bytearray()  # a reader may still hold the old one: it is never grown again
        self._compressed = self._pending = b""
        self._inflater = None
