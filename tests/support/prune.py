"""Keep the fixture cache to what the current sources use.

Builds are keyed by a hash of their sources, so every edit of a fixture leaves the old binary and
all the cores made from it behind, and so does every checkout that is gone (a CI run's clone, a
worktree): weeks of edits filled 65 GB of a shared disk. When a build is made, the entries it
supersedes (same program, release, flags and source directory, other sources) and those whose
source directory no longer exists go, and so do the cores made from them.
"""

from __future__ import annotations

import json
import logging
import shutil
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


def _superseded(other: Path, entry: Path, identity: dict[str, object]) -> bool:
    if other == entry or ".tmp-" in other.name:
        return False
    record = _record(other / BUILD_RECORD)
    return record is not None and (record == identity or not Path(str(record.get("source_dir"))).exists())


def drop_superseded_builds(entry: Path) -> None:
    """Remove the builds ``entry`` replaces or whose sources are gone, and the cores of those builds."""
    identity = _record(entry / BUILD_RECORD)
    if identity is None:
        return
    superseded = [other for other in entry.parent.iterdir() if _superseded(other, entry, identity)]
    if not superseded:
        return
    gone = {str(other) for other in superseded}
    cores_root = cache.entry_dir("cores", "")
    stale_cores = [
        core
        for core in (cores_root.iterdir() if cores_root.is_dir() else ())
        if str(Path(str((_record(core / CORE_RECORD) or {}).get("exe", ""))).parent) in gone
    ]
    for path in [*superseded, *stale_cores]:
        shutil.rmtree(path, ignore_errors=True)
    log.info("fixture cache: %s replaces %d builds and %d cores", entry.name, len(superseded), len(stale_cores))
