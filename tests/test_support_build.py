"""The toolchain selection and the cached fixture builds."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from support import cache, prune, toolchains
from support.build import BuildOptions, Mode, build, build_source, program_dir
from support.cores import make_core

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


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_a_new_build_drops_the_one_it_supersedes_and_its_cores(
    go_release: toolchains.Release, build_mode: Mode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    source = tmp_path / "selfabort"
    shutil.copytree(program_dir("selfabort"), source)
    old = build_source(source, "selfabort", go_release, build_mode)
    old_core = make_core(old.exe)
    other = build("selfabort", go_release, build_mode)  # another source directory: kept
    gone = tmp_path / "gone"
    shutil.copytree(program_dir("selfabort"), gone)
    gone_build = build_source(gone, "selfabort", go_release, build_mode)
    shutil.rmtree(gone)
    prune.drop_gone_checkouts()

    (source / "main.go").write_text((source / "main.go").read_text() + "\n// an edit\n")
    new = build_source(source, "selfabort", go_release, build_mode)

    assert new.exe.is_file() and new.exe != old.exe
    assert not old.exe.parent.exists()
    assert not old_core.core.parent.exists()
    assert not gone_build.exe.parent.exists()
    assert other.exe.is_file()
