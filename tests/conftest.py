"""Shared pytest fixtures: Go releases, fixture builds, real cores, Delve.

* ``go_release`` / ``build_mode`` arguments are parametrized automatically:
  ``go_release`` over the selected releases (``GODAP_GO_VERSIONS``), narrowed
  by ``@pytest.mark.go_releases("local", "1.21")``; ``build_mode`` over
  ``opt`` and ``noopt``, narrowed by ``@pytest.mark.build_modes("opt")``.
* ``build_program(program, release, mode, options)`` and
  ``make_core(program, args, release, mode, trigger)`` are session fixtures
  backed by the on-disk cache.
* ``run_delve(exe, core, commands)`` runs dlv.

A missing prerequisite (no go, a machine that cannot make cores, no dlv) fails the test with the
reason; ``GODAP_ALLOW_SKIPS=1`` makes it a skip (support/prerequisites.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from support import cache, delve, scoreboard, toolchains
from support.build import Binary, BuildOptions, CrossCompilerMissing, Mode, build
from support.cores import RUN_TIMEOUT, Core, CoreDumpUnavailable, Trigger
from support.cores import make_core as make_core_from_binary
from support.prerequisites import missing

log = logging.getLogger("godap.tests")

DELVE_PACKAGE = "github.com/go-delve/delve/cmd/dlv@v1.27.2"

MakeCore = Callable[..., Core]
BuildProgram = Callable[..., Binary]
RunDelve = Callable[[Path, Path, Sequence[str]], list[delve.CommandResult]]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "go_releases(*names): run only on these Go releases (if selected)")
    config.addinivalue_line("markers", "build_modes(*modes): run only in these build modes")
    config.addinivalue_line("markers", "godap_missing(reason): a prerequisite is missing: fail (or skip)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("godap_missing")
    if marker is not None:
        missing(marker.args[0])


def pytest_report_header(config: pytest.Config) -> list[str]:
    try:
        releases = ", ".join(release.version for release in toolchains.selected_releases())
    except toolchains.ToolchainError as exc:
        releases = f"unavailable ({exc})"
    lines = [f"godap: Go releases: {releases}", f"godap: fixture cache: {cache.cache_root()}"]
    for line in lines:
        log.info(line)
    return lines


def _release_params(metafunc: pytest.Metafunc) -> list[object]:
    try:
        selected = toolchains.selected_releases()
    except toolchains.ToolchainError as exc:
        return [pytest.param(None, marks=pytest.mark.godap_missing(str(exc)), id="no-go")]
    marker = metafunc.definition.get_closest_marker("go_releases")
    if marker is not None:
        wanted = [toolchains.release_named(name) for name in marker.args]
        selected = [release for release in selected if release in wanted]
    if not selected:
        reason = f"none of its Go releases is selected by ${toolchains.SELECTION_ENV}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-release")]
    return [pytest.param(release, id=release.minor) for release in selected]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "go_release" in metafunc.fixturenames:
        metafunc.parametrize("go_release", _release_params(metafunc), scope="session")
    if "build_mode" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("build_modes")
        modes = [Mode(mode) for mode in marker.args] if marker else list(Mode)
        metafunc.parametrize("build_mode", modes, ids=[mode.value for mode in modes], scope="session")


@pytest.fixture(scope="session")
def build_program() -> BuildProgram:
    """``build_program(program, release=None, mode="opt", options=None)``; release None = local go."""

    def run(
        program: str,
        release: toolchains.Release | None = None,
        mode: Mode | str = Mode.OPT,
        options: BuildOptions | None = None,
    ) -> Binary:
        try:
            release = release or toolchains.local_release()
            return build(program, release, mode, options)
        except (toolchains.ToolchainError, CrossCompilerMissing) as exc:
            missing(str(exc))

    return run


@pytest.fixture(scope="session")
def make_core(build_program: BuildProgram) -> MakeCore:
    """``make_core(program, args, release=None, mode="opt", trigger="self", options=None, timeout=...)``.

    Cached on disk; fails (GODAP_ALLOW_SKIPS=1: skips) when this machine cannot make cores.
    """

    def run(
        program: str,
        args: Sequence[str] = (),
        release: toolchains.Release | None = None,
        mode: Mode | str = Mode.OPT,
        trigger: Trigger | str = Trigger.SELF,
        options: BuildOptions | None = None,
        timeout: float = RUN_TIMEOUT,
    ) -> Core:
        binary = build_program(program, release, mode, options)
        try:
            return make_core_from_binary(binary, args, trigger, timeout=timeout)
        except CoreDumpUnavailable as exc:
            missing(str(exc))

    return run


@pytest.fixture(scope="session")
def run_delve() -> RunDelve:
    """``run_delve(exe, core, commands)`` -> one CommandResult per command (fails without dlv)."""
    require_dlv()

    def run(exe: Path, core: Path, commands: Sequence[str]) -> list[delve.CommandResult]:
        return delve.run_delve(exe, core, commands)

    return run


def require_dlv() -> None:
    if delve.find_dlv() is None:
        missing(f"dlv not found on PATH or in ~/go/bin (go install {DELVE_PACKAGE})")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker sends its agreement figures to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["godap_scoreboard"] = scoreboard.dump()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's hook on the controller, as each worker ends."""
    scoreboard.merge(getattr(node, "workeroutput", {}).get("godap_scoreboard", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Agreement with Go's own traceback and with Delve, per release (also in $GODAP_SCOREBOARD)."""
    lines = scoreboard.render()
    if lines:
        terminalreporter.section("godap agreement figures")
        for line in lines:
            terminalreporter.write_line(line)
