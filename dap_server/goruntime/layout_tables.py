"""Offsets of runtime structs per Go release (linux/amd64), for binaries built without DWARF.

With DWARF the offsets are read from the binary itself (layouts.py); these tables are the
fallback, and tests/test_layouts.py checks every entry against the DWARF of real binaries.
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
for _tables in FALLBACK.values():
    _tables["runtime.stack"] = _STACK

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
