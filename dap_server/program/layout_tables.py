"""Offsets and sizes of runtime structs per Go release (linux/amd64), for binaries built without DWARF.

With DWARF the offsets are read from the binary itself (goruntime/layouts.py); these tables are the
fallback, and the one place godap keeps per-release layouts: tests/test_layouts.py checks every
entry against the DWARF of a real binary of each release.
"""

from __future__ import annotations

_G_121 = {
    "stack": 0,
    "_panic": 32,
    "_defer": 40,
    "m": 48,
    "sched": 56,
    "syscallsp": 112,
    "syscallpc": 120,
    "atomicstatus": 144,
    "goid": 152,
    "waitsince": 168,
    "waitreason": 176,
    "lockedm": 208,
    "sig": 216,
    "sigcode0": 248,
    "sigcode1": 256,
    "sigpc": 264,
    "parentGoid": 272,
    "gopc": 280,
    "startpc": 296,
    "waiting": 312,
    "labels": 344,
}
_G_123 = {
    **_G_121,
    "syscallbp": 128,
    "atomicstatus": 152,
    "goid": 160,
    "waitsince": 176,
    "waitreason": 184,
    "lockedm": 216,
    "sig": 224,
    "sigcode0": 256,
    "sigcode1": 264,
    "sigpc": 272,
    "parentGoid": 280,
    "gopc": 288,
    "startpc": 304,
    "waiting": 320,
    "labels": 352,
}
_G_125 = {
    **_G_121,
    "syscallsp": 104,
    "syscallpc": 112,
    "syscallbp": 120,
    "sig": 220,
    "runningCleanups": 218,
}
_G_126 = {
    **_G_123,
    "syscallsp": 104,
    "syscallpc": 112,
    "syscallbp": 120,
    "atomicstatus": 144,
    "goid": 152,
    "waitsince": 168,
    "waitreason": 176,
    "lockedm": 208,
    "runningCleanups": 220,
}

_M_121 = {
    "g0": 0,
    "morebuf": 8,
    "procid": 72,
    "gsignal": 80,
    "curg": 192,
    "caughtsig": 200,
    "p": 208,
    "id": 232,
    "throwing": 244,
    "dying": 268,
    "alllink": 336,
    "lockedg": 352,
    "incgo": 280,
    "vdsoSP": 808,
    "vdsoPC": 816,
}
_M_122 = {**_M_121, "alllink": 328, "lockedg": 344, "vdsoSP": 1120, "vdsoPC": 1128}
_M_123 = {**_M_121, "alllink": 352, "lockedg": 368, "vdsoSP": 880, "vdsoPC": 888}
_M_124 = {**_M_123, "vdsoSP": 904, "vdsoPC": 912}
_M_125 = {
    **_M_121,
    "procid": 64,
    "gsignal": 72,
    "curg": 184,
    "caughtsig": 192,
    "p": 200,
    "id": 224,
    "throwing": 236,
    "dying": 260,
    "alllink": 344,
    "lockedg": 360,
    "incgo": 272,
    "vdsoSP": 896,
    "vdsoPC": 904,
}
_M_126 = {**_M_125, "p": 208, "id": 232, "throwing": 244, "dying": 268, "alllink": 352, "lockedg": 384, "incgo": 280}

_GOBUF_121 = {"sp": 0, "pc": 8, "g": 16, "ctxt": 24, "lr": 40, "bp": 48}
_GOBUF_125 = {"sp": 0, "pc": 8, "g": 16, "ctxt": 24, "lr": 32, "bp": 40}

_PANIC_121 = {"arg": 8, "link": 24, "recovered": 48, "goexit": 50}
_PANIC_122 = {"arg": 8, "link": 24, "recovered": 96, "goexit": 97}
_PANIC_125 = {"arg": 8, "link": 24, "recovered": 96, "goexit": 98, "repanicked": 97}
_PANIC_126 = {"arg": 0, "link": 16, "recovered": 88, "goexit": 90, "repanicked": 89}

_MODULEDATA_121 = {"pcHeader": 0, "text": 176, "etext": 184, "types": 296, "etypes": 304, "rodata": 312, "gofunc": 320}
_MODULEDATA_127 = {**_MODULEDATA_121, "etypes": 312, "rodata": 336, "gofunc": 344}

_STACK = {"lo": 0, "hi": 8}
_SIGTAB = {"flags": 0, "name": 8}  # sigTabT{flags int32; name string}
_SCHEDT = {"lastpoll": 8}
_HMAP = {"count": 0, "flags": 8, "B": 9, "noverflow": 10, "hash0": 12, "buckets": 16, "oldbuckets": 24}
# The blocking graph's structs (goruntime/blocking/): wait queues, the semaphore table, sync primitives.
_SUDOG_121 = {"g": 0, "next": 8, "prev": 16, "elem": 24, "waitlink": 64, "c": 80}
_SUDOG_126 = {**_SUDOG_121, "waitlink": 72, "c": 88}  # elem and c are two words (vp, vu)
_HCHAN_121 = {"qcount": 0, "dataqsiz": 8, "buf": 16, "closed": 28, "elemtype": 32, "recvq": 56, "sendq": 72}
_HCHAN_123 = {**_HCHAN_121, "timer": 32, "elemtype": 40, "recvq": 64, "sendq": 80}
_WAITQ = {"first": 0}
_SEMAROOT = {"treap": 8}
_SYNC_MUTEX = {"state": 0, "sema": 4}
_RWMUTEX = {"w": 0, "writerSem": 8, "readerSem": 12, "readerCount": 16, "readerWait": 20}
_WAITGROUP = {"state": 0, "sema": 8}
_COND = {"notify": 16}
_NOTIFYLIST = {"wait": 0, "notify": 4, "head": 16}
_POLLDESC = {"fd": 8, "rg": 32, "wg": 40}  # and `self`, which the 1.23 and 1.25 timer changes moved

# Member → struct type, for nested paths such as "sched.sp" when only the fallback tables exist.
NESTED = {
    ("runtime.g", "sched"): "runtime.gobuf",
    ("runtime.g", "stack"): "runtime.stack",
    ("runtime.m", "morebuf"): "runtime.gobuf",
    ("runtime.hchan", "recvq"): "runtime.waitq",
    ("runtime.hchan", "sendq"): "runtime.waitq",
}

FALLBACK: dict[int, dict[str, dict[str, int]]] = {
    21: {
        "runtime.g": _G_121,
        "runtime.m": _M_121,
        "runtime.gobuf": _GOBUF_121,
        "runtime._panic": _PANIC_121,
        "runtime.moduledata": _MODULEDATA_121,
    },
    22: {
        "runtime.g": _G_121,
        "runtime.m": _M_122,
        "runtime.gobuf": _GOBUF_121,
        "runtime._panic": _PANIC_122,
        "runtime.moduledata": _MODULEDATA_121,
    },
    23: {
        "runtime.g": _G_123,
        "runtime.m": _M_123,
        "runtime.gobuf": _GOBUF_121,
        "runtime._panic": _PANIC_122,
        "runtime.moduledata": _MODULEDATA_121,
    },
    24: {
        "runtime.g": {**_G_123, "sig": 228},
        "runtime.m": _M_124,
        "runtime.gobuf": _GOBUF_121,
        "runtime._panic": _PANIC_122,
        "runtime.moduledata": _MODULEDATA_121,
    },
    25: {
        "runtime.g": _G_125,
        "runtime.m": _M_125,
        "runtime.gobuf": _GOBUF_125,
        "runtime._panic": _PANIC_125,
        "runtime.moduledata": _MODULEDATA_121,
    },
    26: {
        "runtime.g": _G_126,
        "runtime.m": _M_126,
        "runtime.gobuf": _GOBUF_125,
        "runtime._panic": _PANIC_126,
        "runtime.moduledata": _MODULEDATA_121,
    },
    27: {
        "runtime.g": _G_126,
        "runtime.m": _M_126,
        "runtime.gobuf": _GOBUF_125,
        "runtime._panic": _PANIC_126,
        "runtime.moduledata": _MODULEDATA_127,
    },
}
# The heap's bookkeeping (goruntime/heap/layout.py).
_MSPAN_121 = {"startAddr": 24, "npages": 32, "freeindex": 48, "nelems": 56, "allocBits": 72, "spanclass": 106}
_MSPAN_121 |= {"state": 107, "elemsize": 112, "specials": 136}
_MSPAN_122 = {"startAddr": 24, "npages": 32, "freeindex": 48, "nelems": 50, "allocBits": 64, "spanclass": 98}
_MSPAN_122 |= {"state": 99, "elemsize": 104, "specials": 128, "largeType": 152}  # largeType: allocation headers
_MODULE_SECTIONS = {"data": 208, "edata": 216, "bss": 224, "ebss": 232}
_GC_MASKS = {26: {"gcdatamask": 544, "gcbssmask": 560}, 27: {"gcdatamask": 520, "gcbssmask": 536}}
for _minor, _tables in FALLBACK.items():
    _tables["runtime.mspan"] = _MSPAN_121 if _minor == 21 else _MSPAN_122
    _tables["runtime.mheap"] = {"allspans": 65864, "arenas": 65944 if _minor == 21 else 66008}
    # heapArena: the heap bitmap (≤ 1.21); Green Tea's per-page inline-mark flags (1.25+)
    _tables["runtime.heapArena"] = (
        {"bitmap": 0} if _minor == 21 else {} if _minor <= 24 else {"pageUseSpanInlineMarkBits": 68608}
    )
    _tables["internal/abi.Type"] = {"Size_": 0, "PtrBytes": 8, "TFlag": 20, "Kind_": 23, "GCData": 32}
    _tables["runtime.special"] = {"next": 0, "offset": 8, "kind": 10 if _minor <= 23 else 16}
    _tables["runtime.specialfinalizer"] = {"fn": 16 if _minor <= 23 else 24}
    _masks = _GC_MASKS.get(_minor, {"gcdatamask": 536, "gcbssmask": 552})
    _tables["runtime.moduledata"] = {**_tables["runtime.moduledata"], **_MODULE_SECTIONS, **_masks}
for _minor, _tables in FALLBACK.items():
    _tables["runtime.stack"] = _STACK
    _tables["runtime.sigTabT"] = _SIGTAB
    _tables["runtime.schedt"] = _SCHEDT
    if _minor <= 23:  # Swiss tables replace hmap in Go 1.24
        _tables["runtime.hmap"] = _HMAP
    _tables["runtime.sudog"] = _SUDOG_121 if _minor <= 25 else _SUDOG_126
    _tables["runtime.hchan"] = _HCHAN_121 if _minor <= 22 else _HCHAN_123
    _tables["runtime.waitq"] = _WAITQ
    _tables["runtime.semaRoot"] = _SEMAROOT
    if _minor <= 23:
        _tables["sync.Mutex"] = _SYNC_MUTEX
    else:  # sync.Mutex wraps internal/sync.Mutex (goruntime/blocking/objects.py adds the two)
        _tables["sync.Mutex"] = {"mu": 0}
        _tables["internal/sync.Mutex"] = _SYNC_MUTEX
    _tables["sync.RWMutex"] = _RWMUTEX
    _tables["sync.WaitGroup"] = _WAITGROUP
    _tables["sync.Cond"] = _COND
    _tables["runtime.notifyList"] = _NOTIFYLIST
    _tables["runtime.pollDesc"] = {**_POLLDESC, "self": 240 if _minor <= 22 else 272 if _minor <= 24 else 288}

# Sizes of runtime structs (internal/abi.*: the type descriptors, which the uncommon type follows).
_ABI_SIZES = {
    "internal/abi.Type": 48,
    "internal/abi.ArrayType": 72,
    "internal/abi.ChanType": 64,
    "internal/abi.FuncType": 56,
    "internal/abi.InterfaceType": 80,
    "internal/abi.PtrType": 56,
    "internal/abi.SliceType": 56,
    "internal/abi.StructType": 80,
    "runtime.sigTabT": 24,
}
_CLASSIC_MAP_TYPE = 88  # Key, Elem, Bucket, Hasher, KeySize, ValueSize, BucketSize, Flags
_SWISS_MAP_TYPE = 112  # SwissMapType in 1.24 and 1.25: Key, Elem, Group, Hasher, GroupSize, SlotSize, ElemOff, Flags
SIZES: dict[int, dict[str, int]] = {
    21: {**_ABI_SIZES, "internal/abi.MapType": _CLASSIC_MAP_TYPE, "runtime.moduledata": 592},
    22: {**_ABI_SIZES, "internal/abi.MapType": _CLASSIC_MAP_TYPE, "runtime.moduledata": 592},
    23: {**_ABI_SIZES, "internal/abi.MapType": _CLASSIC_MAP_TYPE, "runtime.moduledata": 584},
    24: {**_ABI_SIZES, "internal/abi.MapType": _SWISS_MAP_TYPE, "runtime.moduledata": 584},
    25: {**_ABI_SIZES, "internal/abi.MapType": _SWISS_MAP_TYPE, "runtime.moduledata": 584},
    26: {**_ABI_SIZES, "internal/abi.MapType": _SWISS_MAP_TYPE, "runtime.moduledata": 592},
    27: {**_ABI_SIZES, "internal/abi.MapType": 136, "runtime.moduledata": 568},  # keys and elems apart
}

for _minor, _sizes in SIZES.items():
    _sizes["runtime.mspan"] = 168 if _minor == 21 else 160

# Field widths the heap walk needs where they are not 8 bytes, and constants DWARF would give.
HEAP_FIELD_SIZES: dict[int, dict[tuple[str, str], int]] = {
    minor: {
        ("runtime.mspan", "freeindex"): 8 if minor == 21 else 2,  # uintptr → uint16 in Go 1.22
        ("runtime.mspan", "nelems"): 8 if minor == 21 else 2,
        ("runtime.mspan", "spanclass"): 1,
        ("runtime.mspan", "state"): 1,
        ("runtime.special", "offset"): 2 if minor <= 23 else 8,  # uint16 → uintptr in Go 1.24
        ("runtime.special", "kind"): 1,
        ("runtime.heapArena", "bitmap"): 1 << 20,
        ("runtime.heapArena", "pageUseSpanInlineMarkBits"): 1024,
        ("internal/abi.Type", "TFlag"): 1,
        ("internal/abi.Type", "Kind_"): 1,
        ("runtime.moduledata", "gcdatamask"): 16,
        ("runtime.moduledata", "gcbssmask"): 16,
    }
    for minor in FALLBACK
}
HEAP_CONSTANTS: dict[int, dict[str, int]] = {
    minor: {
        "runtime.minSizeForMallocHeader": 0 if minor == 21 else 512,  # 0: no allocation headers
        "internal/abi.TFlagGCMaskOnDemand": 16 if minor >= 24 else 0,
        "runtime._KindSpecialFinalizer": 1 if minor <= 24 else 2,
    }
    for minor in FALLBACK
}

# Where a type descriptor keeps its direct-interface bit (internal/abi.KindDirectIface in Kind_
# before Go 1.26, internal/abi.TFlagDirectIface in TFlag from 1.26).
DIRECT_IFACE: dict[int, tuple[str, int]] = {minor: ("tflag" if minor >= 26 else "kind", 0x20) for minor in FALLBACK}


def release_key(minor: int | None) -> int:
    """The release whose tables serve `minor`: itself when known, else the newest."""
    return minor if minor in FALLBACK else max(FALLBACK)


def fallback_tables(minor: int | None) -> dict[str, dict[str, int]]:
    """struct → field → offset for the Go release 1.`minor` (the newest release's when unknown)."""
    return FALLBACK[release_key(minor)]


def fallback_size(minor: int | None, struct: str) -> int | None:
    return SIZES[release_key(minor)].get(struct)


# gStatusStrings (traceback.go) and waitReasonStrings (runtime2.go) when the binary has no symbols.
STATUS_NAMES = {
    0: "idle",
    1: "runnable",
    2: "running",
    3: "syscall",
    4: "waiting",
    5: "moribund_unused",
    6: "dead",
    7: "enqueue_unused",
    8: "copystack",
    9: "preempted",
    10: "leaked",
    11: "dead",
}
