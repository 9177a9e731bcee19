"""A heap analysis saved beside its core (`CORE.godap-heap`, else in the user's cache folder when
the core's folder is read-only), so that the next session answers at once. The file is one
uncompressed numpy archive; it names the core and executable it was made from (path, size, mtime)
and the analysis code that made it, and is ignored, then remade, when any of them differs."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .analysis import HeapFacts
from .graph import HeapGraph
from .spans import ObjectTable

FORMAT = 3
SUFFIX = ".godap-heap"
_ARRAYS = (
    "rev_start",
    "rev_src",
    "rev_word",
    "parent",
    "order",
    "idom",
)


def cache_paths(core: str) -> list[Path]:
    """Where the analysis of `core` is looked for, in order: beside it, then the user's cache."""
    digest = hashlib.sha256(os.path.realpath(core).encode()).hexdigest()[:24]
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "godap" / "heap"
    return [Path(core + SUFFIX), home / f"{digest}{SUFFIX}"]


def _identity(core: str, executable: str) -> dict[str, object]:
    def stat(path: str) -> list[object]:
        st = os.stat(path)
        return [os.path.realpath(path), st.st_size, st.st_mtime_ns]

    return {"format": FORMAT, "code": _code_digest(), "core": stat(core), "executable": stat(executable)}


@functools.cache
def _code_digest() -> str:
    """A digest of this package's sources: an analysis made by other code is made again."""
    digest = hashlib.sha256()
    for path in sorted([*Path(__file__).parent.glob("*.py"), *Path(__file__).parent.glob("*.c")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load(core: str, executable: str) -> HeapFacts | None:
    """The saved analysis of this core and executable, or None."""
    try:
        wanted = _identity(core, executable)
    except OSError:
        return None
    for path in cache_paths(core):
        with contextlib.suppress(OSError, ValueError, KeyError, zipfile.BadZipFile), np.load(path) as archive:
            meta = json.loads(bytes(archive["meta"]).decode())
            if meta["identity"] != json.loads(json.dumps(wanted)):
                continue
            graph = HeapGraph(int(meta["nodes"]), *(archive[name] for name in _ARRAYS))
            objects = ObjectTable(archive["addr"], archive["size"], archive["span"])
            return HeapFacts(
                objects,
                archive["types"],
                meta["type_names"],
                meta["root_names"],
                archive["root_base"],
                graph,
                archive["retained"],
                meta["notes"],
                float(meta["seconds"]),
            )
    return None


def save(facts: HeapFacts, core: str, executable: str) -> Path | None:
    """Write the analysis where it can be written; the path, or None when nowhere could."""
    meta = {
        "identity": _identity(core, executable),
        "nodes": facts.graph.nodes,
        "type_names": facts.type_names,
        "root_names": facts.root_names,
        "notes": facts.notes,
        "seconds": facts.seconds,
    }
    arrays = {name: getattr(facts.graph, name) for name in _ARRAYS}
    arrays.update(
        addr=facts.objects.addr,
        size=facts.objects.size,
        span=facts.objects.span,
        types=facts.types,
        root_base=facts.root_base,
        retained=facts.retained,
        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
    )
    for path in cache_paths(core):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        except OSError:
            continue
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **arrays)
            os.replace(temp, path)
            return path
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    return None
