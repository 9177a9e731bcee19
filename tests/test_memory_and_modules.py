"""readMemory, disassemble, modules and loadedSources on a real core, checked against facts the
core itself states (the faulting pc Go printed, the executable's Go version)."""

from __future__ import annotations

import base64
import itertools
import re

import pytest
from conftest import MakeCore
from support import traceback
from support.build import BuildOptions, Mode
from support.session import open_core
from support.toolchains import Release

# The instruction that dereferences nil *Plain in main.derefPlain, as capstone names it.
LOADS = {"amd64": r"mov\w* ", "arm64": r"ld\w* "}  # arm64: ldr, ldp, ldur…


@pytest.mark.build_modes("opt")
@pytest.mark.go_releases("local", "1.21", "1.24")
@pytest.mark.parametrize("arch", sorted(LOADS))
def test_memory_disassembly_and_modules(go_release: Release, build_mode: Mode, make_core: MakeCore, arch: str) -> None:
    """On arm64 (a qemu-user core, which holds no text pages) the code is read from the executable."""
    options = BuildOptions(arch=arch)
    core = make_core("zoo", ("nilderef",), release=go_release, mode=build_mode, options=options)
    signal = traceback.parse(core.stderr).signal
    assert signal is not None and signal.pc is not None
    with open_core(core.exe, core.core) as session:
        client = session.client
        frames = session.stack(session.stopped["threadId"])
        faulting = next(f for f in frames if f["name"] == "main.derefPlain")
        assert int(faulting["instructionPointerReference"], 16) == signal.pc

        body = client.request(
            "disassemble",
            {
                "memoryReference": faulting["instructionPointerReference"],
                "instructionOffset": -4,
                "instructionCount": 9,
                "resolveSymbols": True,
            },
        )["body"]
        instructions = body["instructions"]
        assert len(instructions) == 9
        here = instructions[4]
        assert int(here["address"], 16) == signal.pc
        assert here["symbol"].startswith("main.derefPlain+")
        assert re.match(LOADS[arch], here["instruction"]), here
        assert all(int(a["address"], 16) < int(b["address"], 16) for a, b in itertools.pairwise(instructions))

        memory = client.request("readMemory", {"memoryReference": here["address"], "count": 8})["body"]
        assert base64.b64decode(memory["data"]).hex().startswith(here["instructionBytes"].replace(" ", "")[:4])
        unmapped = client.request("readMemory", {"memoryReference": "0x8", "count": 8})
        assert unmapped["success"] is False and "not mapped" in unmapped["message"]

        modules = client.request("modules", {})["body"]["modules"]
        assert modules[0]["version"] == go_release.version
        sources = client.request("loadedSources")["body"]["sources"]
        assert any(s.get("path", "").endswith("zoo/crash.go") for s in sources)
