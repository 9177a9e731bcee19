"""The on-disk cache shared by fixture builds and cores, and its locking.

Several pytest processes may fill the cache at once: every entry is made
under an exclusive ``fcntl`` lock on ``locks/<key>.lock`` and moved into place
with a rename, so readers see either nothing or a complete entry.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

CACHE_ENV = "GODAP_FIXTURE_CACHE"

# Bump when the way entries are made changes, to invalidate old entries.
RECIPE_VERSION = "1"


def cache_root() -> Path:
    root = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "godap-fixtures")
    root.mkdir(parents=True, exist_ok=True)
    return root


def digest(parts: Iterable[str | bytes]) -> str:
    """sha256 over length-prefixed parts (so ("ab", "c") != ("a", "bc"))."""
    h = hashlib.sha256(RECIPE_VERSION.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@contextlib.contextmanager
def locked(kind: str, key: str) -> Iterator[None]:
    """Hold the exclusive lock of one cache entry."""
    lock_dir = cache_root() / "locks"
    lock_dir.mkdir(exist_ok=True)
    with (lock_dir / f"{kind}-{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def entry_dir(kind: str, name: str) -> Path:
    return cache_root() / kind / name


@contextlib.contextmanager
def staging_dir(final: Path) -> Iterator[Path]:
    """A fresh directory next to ``final``; renamed to ``final`` if the block succeeds.

    Call it with the entry's lock held.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=final.name + ".tmp-", dir=final.parent))
    staging.chmod(0o755)
    try:
        yield staging
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_json(path: Path, value: dict[str, Any]) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")


def read_json(path: Path) -> dict[str, Any]:
    value = json.loads(path.read_text())
    assert isinstance(value, dict)
    return value
