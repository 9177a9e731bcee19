"""Keep the fixture cache to what the current sources use.

Builds are keyed by a hash of their sources, so every edit of a fixture leaves the old binary and
all the cores made from it behind, and so does every checkout that is gone (a CI run's clone, a
worktree): weeks of edits filled 65 GB of a shared disk. When a build is made, the entries it
supersedes (same program, release, flags and source directory, other sources) go, with the cores
made from them; before a run, so do the builds whose source directory no longer exists and the
cores whose executable is gone.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from . import cache

log = logging.getLogger(__name__)

BUILD_RECORD = "build.json"
CORE_RECORD = "meta.json"


def _record(path: Path) -> dict[str, object] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _entries(kind: str) -> Iterator[Path]:
    root = cache.entry_dir(kind, "")
    if root.is_dir():
        yield from (entry for entry in root.iterdir() if ".tmp-" not in entry.name)


def _remove_builds(dropped: Callable[[Path, dict[str, object]], bool], why: str) -> None:
    """Remove the builds ``dropped`` picks (by entry and record), and every core whose executable
    is gone."""
    builds = [entry for entry in _entries("bin") if dropped(entry, _record(entry / BUILD_RECORD) or {})]
    for entry in builds:
        shutil.rmtree(entry, ignore_errors=True)
    cores = [
        entry
        for entry in _entries("cores")
        if not Path(str((_record(entry / CORE_RECORD) or {}).get("exe", ""))).is_file()
    ]
    for entry in cores:
        shutil.rmtree(entry, ignore_errors=True)
    if builds or cores:
        log.info("fixture cache: dropped %d builds (%s) and %d cores", len(builds), why, len(cores))


def drop_superseded_builds(entry: Path) -> None:
    """Remove the builds ``entry`` replaces (its program, release, flags and checkout)."""
    identity = _record(entry / BUILD_RECORD)
    if identity is not None:
        _remove_builds(lambda other, record: other != entry and record == identity, f"superseded by {entry.name}")


def drop_gone_checkouts() -> None:
    """Remove the builds whose source directory no longer exists."""
    _remove_builds(lambda _, record: bool(record) and not Path(str(record.get("source_dir"))).exists(), "sources gone")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    drop_gone_checkouts()
