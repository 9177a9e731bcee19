"""Transparent opening of files compressed with gzip, xz or zstd (systemd-coredump stores cores
as zstd; people mail executables and cores as .gz/.xz).

A file is inflated into an unlinked temporary file so that it can be mmapped like any other;
runs of zero bytes become holes, so a sparse core stays sparse on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO, cast

_CHUNK = 1 << 20
_ZERO_CHUNK = bytes(_CHUNK)
DEFAULT_LIMIT = 256 << 30
_DISK_MARGIN = 256 << 20


class DecompressionError(Exception):
    """The file cannot be inflated; the message says why."""


_MAGICS: list[tuple[bytes, str]] = [
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
]


def compression_of(head: bytes) -> str | None:
    """The compression format named by a file's first bytes, or None for a plain file."""
    for magic, name in _MAGICS:
        if head.startswith(magic):
            return name
    return None


def _open_stream(path: str, kind: str) -> BinaryIO:
    # The decompressors (and shutil, tempfile below) load only for a compressed file: most are not.
    if kind == "gzip":
        import gzip

        return cast(BinaryIO, gzip.open(path, "rb"))
    if kind == "xz":
        import lzma

        return cast(BinaryIO, lzma.open(path, "rb"))
    import zstandard  # loaded only for a zstd-compressed core

    raw = open(path, "rb")  # noqa: SIM115 - closed with the reader below
    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=True)


def inflate_to_temp(
    path: str, kind: str, *, limit: int = DEFAULT_LIMIT, on_progress: Callable[[int], None] | None = None
) -> BinaryIO:
    """Decompress `path` into an anonymous temporary file and return it, positioned at 0.

    Output is bounded by `limit` and by the free space of the temporary directory, so a
    decompression bomb ends with a clear error instead of filling the disk.
    """
    import lzma
    import shutil
    import tempfile

    tmpdir = tempfile.gettempdir()
    budget = min(limit, max(0, shutil.disk_usage(tmpdir).free - _DISK_MARGIN))
    out = tempfile.TemporaryFile(dir=tmpdir)  # noqa: SIM115 - returned to the caller
    written = 0
    try:
        with _open_stream(path, kind) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                if written > budget:
                    raise DecompressionError(
                        f"{path}: the {kind}-compressed file inflates past {budget >> 20} MiB "
                        "(the size limit or the free space of the temporary directory)"
                    )
                if chunk == _ZERO_CHUNK[: len(chunk)]:
                    out.seek(len(chunk), os.SEEK_CUR)
                else:
                    out.write(chunk)
                if on_progress is not None:
                    on_progress(written)
        out.truncate(written)
        out.seek(0)
        return out
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        out.close()
        raise DecompressionError(f"{path}: cannot decompress the {kind} file: {exc}") from exc
    except BaseException:
        out.close()
        raise
