"""Generic code compiled for GC shapes reads with the program's type arguments, in every build.

The fixture (tests/fixtures/programs/generic) parks a goroutine in a method of `Stack[string]` and
one in `hold` instantiated with `*point` (shape go.shape.*uint8), and prints the instantiated types
with %T: the oracle for the frame names and the types of the values, optimized or not (where the
optimizer drops the hidden `.dict` argument, the dictionary is the one whose type arguments fit
the shapes).
"""

from __future__ import annotations

from conftest import MakeCore
from support.build import Mode
from support.session import open_core
from support.toolchains import Release


def test_generic_frames_and_values_name_the_type_arguments(
    make_core: MakeCore, go_release: Release, build_mode: Mode
) -> None:
    core = make_core("generic", release=go_release, mode=build_mode)
    stack_type, point_type = core.stdout.split()[0], core.stdout.split()[3]  # %T of the two
    package, _, bare = stack_type.removeprefix("*").partition(".")
    expected = {
        f"{package}.(*{bare}).Peek": ("s", stack_type, "items:"),
        f"main.hold[{point_type}]": ("v", point_type, "{x: 1, y: 2}"),
    }
    seen: dict[str, list[dict[str, str]]] = {}
    with open_core(core.exe, core.core) as session:
        for thread in session.threads():
            for frame in session.stack(thread["id"]):
                assert "go.shape." not in frame["name"], frame["name"]
                if frame["name"] in expected:
                    scopes = session.client.request("scopes", {"frameId": frame["id"]})["body"]["scopes"]
                    body = session.client.request("variables", {"variablesReference": scopes[0]["variablesReference"]})
                    seen[frame["name"]] = body["body"]["variables"]
    assert set(seen) == set(expected)
    for function, (name, type_name, text) in expected.items():
        variable = next(v for v in seen[function] if v["name"] == name)
        assert variable["type"] == type_name and text in variable["value"], variable
