"""Bad input at launch gets a clear error response, and the server keeps serving.

Each case sends `launch` with a broken program/core pair, expects `success: false` with a message
that names the problem, then launches a good pair on the same server process to show it survived.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MakeCore
from support import cache
from support.build import BuildOptions
from support.cores import Core, Trigger, compressed_copy, truncated_copy
from support.dap_client import DapClient
from support.prerequisites import missing
from support.session import REPO_ROOT, SERVER_COMMAND, open_core, server_env

C_PROGRAM = Path(__file__).parent / "fixtures" / "programs" / "cprog" / "crash.c"


@pytest.fixture(scope="module")
def good(make_core: MakeCore) -> Core:
    return make_core("zoo", ("nilderef",))


@pytest.fixture(scope="module")
def other(make_core: MakeCore) -> Core:
    """A core of a different build of the same program (another Go release)."""
    from support.toolchains import all_releases, local_release

    release = next(r for r in all_releases() if r != local_release())
    return make_core("zoo", ("nilderef",), release=release)


@pytest.fixture(scope="module")
def c_core(make_core: MakeCore) -> Core:
    from support.cores import make_core as make_core_of

    if shutil.which("gcc") is None:
        missing("gcc is not installed (the C program's core needs it)")
    exe = cache.entry_dir("bin", "cprog-" + cache.file_digest(C_PROGRAM)[:16]) / "crash"
    if not exe.exists():
        exe.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["gcc", "-O0", "-o", str(exe), str(C_PROGRAM)], check=True, timeout=120)
    return make_core_of(exe, (), Trigger.SELF)


@pytest.fixture(scope="module")
def arm64(make_core: MakeCore) -> Core:
    """The same program and crash, built for linux/arm64 and run under qemu-user."""
    return make_core("zoo", ("nilderef",), options=BuildOptions(arch="arm64"))


@pytest.fixture(scope="module")
def server() -> Iterator[DapClient]:
    client = DapClient.spawn(SERVER_COMMAND, cwd=REPO_ROOT, env=server_env())
    client.request("initialize", {"adapterID": "godap"})
    yield client
    client.close()


def _launch(client: DapClient, program: Path | str, core: Path | str) -> dict[str, object]:
    return client.request("launch", {"program": str(program), "coreFilePath": str(core)})


def _expect_error(client: DapClient, program: Path | str, core: Path | str, *words: str) -> None:
    response = _launch(client, program, core)
    assert response["success"] is False, response
    message = str(response["message"])
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    client.assert_no_violations()


def test_missing_core_file(server: DapClient, good: Core, tmp_path: Path) -> None:
    _expect_error(server, good.exe, tmp_path / "nope", "cannot open core file", "No such file")


def test_missing_program(server: DapClient, good: Core, tmp_path: Path) -> None:
    _expect_error(server, tmp_path / "nope", good.core, "cannot open executable", "No such file")


def test_core_is_not_elf(server: DapClient, good: Core, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("this is not a core dump\n" * 100)
    _expect_error(server, good.exe, text, "not an ELF file")


def test_core_is_an_executable(server: DapClient, good: Core) -> None:
    _expect_error(server, good.exe, good.exe, "not a core dump")


def test_program_is_a_core(server: DapClient, good: Core) -> None:
    _expect_error(server, good.core, good.core, "is a core dump, not an executable")


def test_core_is_a_directory(server: DapClient, good: Core, tmp_path: Path) -> None:
    _expect_error(server, good.exe, tmp_path, "is a directory")


def test_core_is_empty(server: DapClient, good: Core, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    _expect_error(server, good.exe, empty, "empty")


def test_program_does_not_match_core(server: DapClient, good: Core, other: Core) -> None:
    _expect_error(server, other.exe, good.core, "does not match the core")


def test_core_and_executable_of_different_architectures(server: DapClient, good: Core, arm64: Core) -> None:
    _expect_error(server, arm64.exe, good.core, "x86-64 process", "arm64 executable")
    _expect_error(server, good.exe, arm64.core, "arm64 process", "x86-64 executable")


def test_core_of_a_non_go_program(server: DapClient, good: Core, c_core: Core) -> None:
    _expect_error(server, c_core.exe, c_core.core, "not a Go program")
    _expect_error(server, good.exe, c_core.core, "was not produced by")


def test_server_still_serves_after_bad_launches(server: DapClient, good: Core) -> None:
    response = _launch(server, good.exe, good.core)
    assert response["success"] is True, response
    server.wait_event("initialized")
    assert server.request("threads")["body"]["threads"]
    server.assert_no_violations()


def test_truncated_core_opens_with_a_warning(good: Core) -> None:
    truncated = truncated_copy(good, good.core.stat().st_size // 2)
    with open_core(good.exe, truncated) as session:
        warnings = [e["body"]["output"] for e in session.client.events if e.get("event") == "output"]
        assert any("truncated" in w for w in warnings), warnings
        assert session.threads()


@pytest.mark.parametrize("fmt", ["gz", "xz", "zst"])
def test_compressed_cores_open_transparently(good: Core, fmt: str) -> None:
    with open_core(good.exe, good.core) as plain:
        expected = plain.threads()
    with open_core(good.exe, compressed_copy(good, fmt)) as packed:
        assert packed.threads() == expected
