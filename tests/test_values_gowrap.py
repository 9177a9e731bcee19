"""The frame `go f(x, y)` makes (main.main.gowrap1) shows what the goroutine was started with.

The compiler wraps such a call in a function that holds the arguments which are not constants in
temporaries (`.autotmp_3`); godap shows them named as the parameters of the called function. The
fixture (tests/fixtures/programs/generic) starts `stack.Peek(block)` and `hold(p, block)`, with
`p = &point{x: 1, y: 2}` and a two-item `Stack[string]` (its own %T output names the types).
Optimized builds keep no temporaries: nothing may be shown there but what DWARF describes.
"""

from __future__ import annotations

import itertools

from conftest import MakeCore
from support.build import Mode
from support.session import open_core
from support.toolchains import Release

STARTED = {"Peek": {"s": "items: len: 2", "block": "chan int"}, "hold": {"v": "{x: 1, y: 2}", "block": "chan int"}}


def test_a_gowrap_frame_shows_the_arguments_the_goroutine_started_with(
    make_core: MakeCore, go_release: Release, build_mode: Mode
) -> None:
    core = make_core("generic", release=go_release, mode=build_mode)
    stack_type, point_type = core.stdout.split()[0], core.stdout.split()[3]
    types = {"s": stack_type, "v": point_type, "block": "chan int"}
    wrappers = {}
    with open_core(core.exe, core.core) as session:
        for thread in session.threads():
            frames = session.stack(thread["id"])
            for callee, caller in itertools.pairwise(frames):
                started = next((k for k in STARTED if callee["name"].endswith(("." + k, f".{k}[{point_type}]"))), None)
                if started is None or not caller["name"].startswith("main.main."):
                    continue
                scopes = session.client.request("scopes", {"frameId": caller["id"]})["body"]["scopes"]
                body = session.client.request("variables", {"variablesReference": scopes[0]["variablesReference"]})
                wrappers[started] = (caller["name"], {v["name"]: v for v in body["body"]["variables"]})
    assert set(wrappers) == set(STARTED)
    for started, (wrapper, shown) in wrappers.items():
        if build_mode is Mode.OPT or ".gowrap" not in wrapper:
            # No temporaries in DWARF (optimized), or a wrapper named like any closure (≤1.22).
            assert not shown or ".gowrap" not in wrapper, (wrapper, shown)
            continue
        assert set(shown) == set(STARTED[started]), (wrapper, shown)
        for name, text in STARTED[started].items():
            assert shown[name]["type"] == types[name] and text in shown[name]["value"], shown[name]
