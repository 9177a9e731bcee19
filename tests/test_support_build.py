"""The toolchain selection and the cached fixture builds."""

from __future__ import annotations

import subprocess
import time

import pytest
from support import toolchains
from support.build import BuildOptions, Mode, build, program_dir

pytestmark = pytest.mark.go_releases("local", "1.21")


def test_selection_narrows_and_deduplicates() -> None:
    everything = toolchains.all_releases()
    assert len({release.version for release in everything}) == len(everything)
    assert toolchains.selected_releases("") == everything
    local = toolchains.local_release()
    assert toolchains.selected_releases("local") == [local]
    assert [r.version for r in toolchains.selected_releases("1.21, go1.27.3")] == ["go1.21.13", "go1.27.3"]
    with pytest.raises(toolchains.ToolchainError):
        toolchains.selected_releases("1.19")


def test_go_env_pins_the_toolchain() -> None:
    release = toolchains.release_named("1.21")
    env = toolchains.go_env(release, cgo=True, goexperiment="noswissmap")
    assert env["GOTOOLCHAIN"] == "go1.21.13"
    assert env["CGO_ENABLED"] == "1"
    assert env["GOWORK"] == "off"
    assert env["GOEXPERIMENT"] == "noswissmap"
    assert "-mod=mod" in env["GOFLAGS"]
    assert toolchains.exact_version(release) == "go1.21.13"


def test_build_is_cached_per_release_and_mode(go_release: toolchains.Release, build_mode: Mode) -> None:
    binary = build("zoo", go_release, build_mode)
    assert binary.exe.is_file()
    assert binary.source_dir == program_dir("zoo")
    reported = subprocess.run(["go", "version", str(binary.exe)], capture_output=True, text=True, check=True)
    assert reported.stdout.split()[-1] == go_release.version

    start = time.monotonic()
    again = build("zoo", go_release, build_mode)
    assert again == binary
    assert time.monotonic() - start < 2, "a cache hit should only hash the sources"


@pytest.mark.build_modes("opt")
def test_flags_are_part_of_the_key(go_release: toolchains.Release, build_mode: Mode) -> None:
    plain = build("zoo", go_release, build_mode)
    stripped = build("zoo", go_release, build_mode, BuildOptions(ldflags="-s -w"))
    assert stripped.exe != plain.exe
    assert stripped.exe.stat().st_size < plain.exe.stat().st_size
