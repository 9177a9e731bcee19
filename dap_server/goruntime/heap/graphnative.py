"""graphcore.c, compiled on first use with the system's C compiler (`$CC`, else `cc`) into the
user's cache folder (keyed by the source's digest) and loaded with ctypes; the wrappers check what
numpy hands over (dtype, contiguity, length) before any pointer reaches C."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .layout import HeapError

SOURCE = Path(__file__).with_name("graphcore.c")
COMPILE_TIMEOUT = 120.0

Nodes = npt.NDArray[np.int32]
Starts = npt.NDArray[np.int32]  # CSR: where each node's edges start (fewer than 2**31 edges)
I64 = npt.NDArray[np.int64]
Words = npt.NDArray[np.uint32]  # a pointer word's index in its source
MAX_EDGES = (1 << 31) - 1


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "godap" / "native"


@functools.cache
def _library() -> ctypes.CDLL:
    source = SOURCE.read_bytes()
    compiler = shlex.split(os.environ.get("CC") or "cc")
    digest = hashlib.sha256(source + " ".join(compiler).encode()).hexdigest()[:16]
    target = _cache_dir() / f"graphcore-{digest}.so"
    if not target.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise HeapError(f"cannot write the heap analysis's compiled code to {target.parent}: {exc}") from exc
        os.close(handle)
        command = [*compiler, "-O2", "-std=c11", "-shared", "-fPIC", "-o", temp, str(SOURCE)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            os.unlink(temp)
            raise HeapError(f"heap analysis needs a C compiler to build its graph code ({exc})") from exc
        if done.returncode != 0:
            os.unlink(temp)
            raise HeapError(f"cannot compile {SOURCE.name}: {done.stderr.strip()[:500]}")
        os.replace(temp, target)
    return ctypes.CDLL(str(target))  # every function answers an int, ctypes' default


def _ptr(array: npt.NDArray[Any], dtype: type, length: int) -> ctypes.c_void_p:
    if array.dtype != dtype or not array.flags.c_contiguous or len(array) < length:
        raise ValueError(f"graphcore wants {length} contiguous {np.dtype(dtype).name}, not {array.dtype} {array.shape}")
    return ctypes.c_void_p(array.ctypes.data)


def _call(name: str, *args: object) -> None:
    if getattr(_library(), name)(*args) != 0:
        raise HeapError(f"not enough memory for the heap analysis ({name})")


def reverse_csr(nodes: int, src: Nodes, dst: Nodes, word: Words) -> tuple[Starts, Nodes, Words]:
    """(start, sources, words): who points to each node, one edge per (source, target), with the
    first word of the source that does."""
    m = len(src)
    if m > MAX_EDGES:
        raise HeapError(f"the heap graph has {m:,} edges: more than this analysis can index")
    if m and (min(int(src.min()), int(dst.min())) < 0 or max(int(src.max()), int(dst.max())) >= nodes):
        raise ValueError("an edge names a node outside the graph")
    start = np.empty(nodes + 1, np.int32)
    out_src = np.empty(m, np.int32)
    out_word = np.empty(m, np.uint32)
    kept = ctypes.c_int64()
    _call(
        "godap_reverse_csr",
        ctypes.c_int64(nodes),
        ctypes.c_int64(m),
        _ptr(src, np.int32, m),
        _ptr(dst, np.int32, m),
        _ptr(word, np.uint32, m),
        _ptr(start, np.int32, nodes + 1),
        _ptr(out_src, np.int32, m),
        _ptr(out_word, np.uint32, m),
        ctypes.byref(kept),
    )
    if kept.value < m * 7 // 8:  # many duplicates: keep no room for them
        return start, out_src[: kept.value].copy(), out_word[: kept.value].copy()
    return start, out_src[: kept.value], out_word[: kept.value]


def forward_csr(nodes: int, rev_start: Starts, rev_src: Nodes) -> tuple[Starts, Nodes]:
    start = np.empty(nodes + 1, np.int32)
    dst = np.empty(len(rev_src), np.int32)
    _call(
        "godap_forward_csr",
        ctypes.c_int64(nodes),
        _ptr(rev_start, np.int32, nodes + 1),
        _ptr(rev_src, np.int32, int(rev_start[-1])),
        _ptr(start, np.int32, nodes + 1),
        _ptr(dst, np.int32, len(rev_src)),
    )
    return start, dst


def _graph(nodes: int, start: Starts, dst: Nodes) -> tuple[ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p]:
    """The first three arguments of a C walk over a forward adjacency (CSR)."""
    return ctypes.c_int64(nodes), _ptr(start, np.int32, nodes + 1), _ptr(dst, np.int32, int(start[-1]))


def bfs(nodes: int, start: Starts, dst: Nodes) -> tuple[Nodes, Nodes]:
    """(parent, order) of a breadth-first search from node 0."""
    parent = np.empty(nodes, np.int32)
    order = np.empty(nodes, np.int32)
    count = ctypes.c_int64()
    _call(
        "godap_bfs",
        *_graph(nodes, start, dst),
        _ptr(parent, np.int32, nodes),
        _ptr(order, np.int32, nodes),
        ctypes.byref(count),
    )
    return parent, order[: count.value].copy()


def dfs(nodes: int, start: Starts, dst: Nodes) -> tuple[Nodes, Nodes, Nodes]:
    """(pre, vertex, dparent): a depth-first numbering from node 0 (graphcore.c godap_dfs)."""
    pre, vertex, dparent = (np.empty(nodes, np.int32) for _ in range(3))
    count = ctypes.c_int64()
    _call(
        "godap_dfs",
        *_graph(nodes, start, dst),
        _ptr(pre, np.int32, nodes),
        _ptr(vertex, np.int32, nodes),
        _ptr(dparent, np.int32, nodes),
        ctypes.byref(count),
    )
    return pre, vertex[: count.value], dparent[: count.value]


def dominators(nodes: int, rev_start: Starts, rev_src: Nodes, pre: Nodes, vertex: Nodes, dparent: Nodes) -> Nodes:
    """Immediate dominators from node 0, given its depth-first numbering (`dfs`)."""
    if len(pre) != nodes or len(dparent) != len(vertex) or len(vertex) > nodes:
        raise ValueError("dominators: the numbering does not fit the graph")
    idom = np.empty(nodes, np.int32)
    _call(
        "godap_semi_nca",
        ctypes.c_int64(nodes),
        ctypes.c_int64(len(vertex)),
        _ptr(rev_start, np.int32, nodes + 1),
        _ptr(rev_src, np.int32, int(rev_start[-1])),
        _ptr(pre, np.int32, nodes),
        _ptr(vertex, np.int32, len(vertex)),
        _ptr(dparent, np.int32, len(vertex)),
        _ptr(idom, np.int32, nodes),
    )
    return idom


def retained(order: Nodes, idom: Nodes, sizes: I64) -> I64:
    """Each node's size plus those of all it dominates (0 for what no root reaches)."""
    total = np.array(sizes, dtype=np.int64)
    _call(
        "godap_retained",
        ctypes.c_int64(len(order)),
        _ptr(order, np.int32, len(order)),
        _ptr(idom, np.int32, len(idom)),
        _ptr(total, np.int64, len(idom)),
    )
    return total


def containing(addr: npt.NDArray[np.uint64], size: I64, queries: npt.NDArray[np.uint64]) -> Nodes:
    """The index of the object (sorted `addr`, slot `size`) each query lies in, -1 where none."""
    queries = np.ascontiguousarray(queries, dtype=np.uint64)
    out = np.empty(len(queries), np.int32)
    _call(
        "godap_containing",
        ctypes.c_int64(len(addr)),
        _ptr(addr, np.uint64, len(addr)),
        _ptr(size, np.int64, len(addr)),
        ctypes.c_int64(len(queries)),
        _ptr(queries, np.uint64, len(queries)),
        _ptr(out, np.int32, len(queries)),
    )
    return out


def gather(
    starts: npt.NDArray[np.uint64],
    ends: npt.NDArray[np.uint64],
    arrays: list[npt.NDArray[np.uint64]],
    addrs: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    """The words at `addrs` from the ranges [starts[i], ends[i]) held by `arrays[i]` (kept alive by
    the caller; a range's tail that is no whole word is not read), and which addresses lay in a
    range (the others read 0)."""
    if len(arrays) != len(starts):
        raise ValueError("gather: each range wants its array")
    held = starts + np.array([8 * len(a) for a in arrays], dtype=np.uint64)
    ends = np.minimum(ends, held) - np.uint64(7)  # the last address whose word is whole, plus one
    addrs = np.ascontiguousarray(addrs, dtype=np.uint64)
    data = np.array([a.ctypes.data for a in arrays], dtype=np.uint64)
    values = np.empty(len(addrs), np.uint64)
    ok = np.empty(len(addrs), np.bool_)
    _call(
        "godap_gather",
        ctypes.c_int64(len(starts)),
        _ptr(starts, np.uint64, len(starts)),
        _ptr(ends, np.uint64, len(starts)),
        _ptr(data, np.uint64, len(starts)),
        ctypes.c_int64(len(addrs)),
        _ptr(addrs, np.uint64, len(addrs)),
        _ptr(values, np.uint64, len(addrs)),
        _ptr(ok, np.bool_, len(addrs)),
    )
    return values, ok


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim): after a step that
    freed many arrays, what glibc keeps for reuse would otherwise add to every later step's peak."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
