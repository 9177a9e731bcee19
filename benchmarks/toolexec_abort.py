"""A ``go build -toolexec`` wrapper that aborts one package's compilation with SIGABRT.

Every tool runs as usual, except ``compile -p $BENCH_PACKAGE``: that one runs
``$BENCH_COMPILE`` (a freshly built cmd/compile) with ``GOTRACEBACK=crash`` and no
core size limit, and gets SIGABRT after ``$BENCH_ABORT_AFTER`` seconds. The core
(written in the package directory, the compiler's working directory) is moved to
``$BENCH_OUT`` and described in ``$BENCH_OUT/done.json``; the wrapper then fails.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def _is_target(args: list[str], package: str) -> bool:
    return any(a == "-p" and b == package for a, b in itertools.pairwise(args))


def _raise_core_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def main() -> int:
    tool, args = sys.argv[1], sys.argv[2:]
    package = os.environ["BENCH_PACKAGE"]
    if Path(tool).name != "compile" or not _is_target(args, package):
        os.execv(tool, [tool, *args])
    env = dict(os.environ, GOTRACEBACK="crash")
    process = subprocess.Popen([os.environ["BENCH_COMPILE"], *args], env=env, preexec_fn=_raise_core_limit)
    time.sleep(float(os.environ["BENCH_ABORT_AFTER"]))
    aborted = process.poll() is None
    if aborted:
        os.kill(process.pid, signal.SIGABRT)
    process.wait(timeout=120)
    out = Path(os.environ["BENCH_OUT"])
    info: dict[str, object] = {"pid": process.pid, "returncode": process.returncode, "aborted": aborted}
    for candidate in (Path.cwd() / f"core.{process.pid}", Path.cwd() / "core"):
        if candidate.is_file():
            shutil.move(candidate, out / "core")
            info["core"] = str(out / "core")
            break
    (out / "done.json").write_text(json.dumps(info, indent=2) + "\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
