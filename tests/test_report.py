"""`godap report`: the headless crash report, text and JSON, on real cores."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest
from conftest import MakeCore
from support import traceback
from support.build import ARCHES, BuildOptions
from support.cores import Trigger
from support.session import REPO_ROOT, run_godap

from dap_server.report import schema

SAMPLE = REPO_ROOT / "protocol-fixtures" / "sample"


def _report(*args: str) -> subprocess.CompletedProcess[str]:
    return run_godap("report", *args)


def test_quick_start_report_on_the_shipped_sample() -> None:
    result = _report(str(SAMPLE / "inventory.xz"), str(SAMPLE / "core.xz"))
    assert result.returncode == 0, result.stderr
    expected = (SAMPLE / "crash-output.txt").read_text().splitlines()[:2]
    assert result.stdout.splitlines()[2:4] == expected
    assert "Goroutine 19 crashed here:" in result.stdout
    assert "4× [chan receive] main.worker" in result.stdout
    assert "\x1b[" not in result.stderr, "no progress bar when stderr is not a terminal"


@pytest.mark.parametrize(
    ("args", "trigger"),
    [(("nilderef",), Trigger.SELF), (("blocked",), Trigger.SIGABRT), (("mapwrites",), Trigger.SELF)],
    ids=["nilderef", "sigabrt", "mapwrites"],
)
@pytest.mark.parametrize("arch", ARCHES)
def test_json_report_matches_the_core(args: tuple[str, ...], trigger: Trigger, arch: str, make_core: MakeCore) -> None:
    core = make_core("zoo", args, trigger=trigger, options=BuildOptions(arch=arch))
    result = _report(str(core.exe), str(core.core), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema())
    printed = traceback.parse(core.stderr)
    first_lines = []
    for line in printed.header.splitlines():
        if not line.strip():
            break
        first_lines.append(line)
    assert report["crash"]["description"].splitlines() == first_lines
    goroutines = {g.id for section in printed.sections for g in section.goroutines if g.id}
    assert report["goroutine_count"] == len(goroutines)
    assert sum(group["count"] for group in report["groups"]) == len(goroutines)
    user_frames = [f for f in report["stopped"]["frames"] if f["hint"] == "normal" and f["name"].startswith("main.")]
    assert user_frames, report["stopped"]["frames"]
    assert any("arguments" in f or "locals" in f for f in user_frames)


def test_report_of_a_missing_core_is_a_clear_error(tmp_path: object) -> None:
    result = _report(str(SAMPLE / "inventory.xz"), "/nonexistent/core")
    assert result.returncode == 1
    assert result.stderr.startswith("godap report: cannot open core file /nonexistent/core")
    assert "Traceback" not in result.stderr
