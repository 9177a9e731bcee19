"""What an editor's first requests load: nothing that only other requests need (issue 14).

A real server, started with `-X importtime`, answers initialize → launch → configurationDone →
threads → stackTrace on a real crash core, as an editor opens it; the modules it imported are read
from its import log. Each one named below belongs to a request that session does not make, and
loading it at start-up costs every session its import time (numpy alone is ~60 ms). The server runs
with `-S` and the site directories on PYTHONPATH, as an installed wheel finds its dependencies:
this machine's `.pth` hooks (an editable install, a certificate hook) would load shutil and more
first, and hide them from the log.
"""

from __future__ import annotations

import os
import re
import site
import sys

from conftest import MakeCore
from support.dap_client import DapClient
from support.session import REPO_ROOT, server_env

# Module (or package prefix) -> what needs it.
LOADED_LATER = {
    "numpy": "bulk decoding of 10,000 goroutines or more, and the heap",
    "elftools": "DWARF beyond the runtime's layouts (variables, C frames)",
    "capstone": "disassembly",
    "argparse": "the server's command-line options (an editor passes none)",
    "logging": "writing a log record (a session at the default level writes none)",
    "shutil": "nothing on this path (shutil.which was replaced)",
    "attrs": "nothing: the message classes are the package's own",
    "cattrs": "nothing: the converter is the package's own",
    "dap_server.adapter.heap": "heap requests",
    "dap_server.adapter.memory": "readMemory, disassemble, modules, loadedSources",
    "dap_server.adapter.evaluate": "evaluate",
    "dap_server.goruntime.heap.analysis": "heap requests",
    "dap_server.goruntime.expr": "evaluate",
    "dap_server.goruntime.bulkwalk": "cores of 10,000 goroutines or more",
    "dap_server.goruntime.blocking.references": "who could wake a goroutine (wakers, findings)",
    "dap_server.goruntime.blocking.analysis": "deadlocks and leaks (findings)",
    "dap_server.console": "the debug console",
    "dap_server.report": "`godap report`",
    "dap_server.debuggee.live": "attaching to a process",
    "dap_server.debuggee.exit_watch": "attaching to a process",
}
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$")


def _loaded_later(module: str) -> str | None:
    for name in LOADED_LATER:
        if module == name or module.startswith(name + "."):
            return name
    return None


def test_first_requests_import_only_what_they_use(make_core: MakeCore) -> None:
    core = make_core("zoo", ("nilderef",))
    env = server_env()
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *site.getsitepackages()])
    command = (sys.executable, "-S", "-X", "importtime", "-m", "dap_server")
    client = DapClient.spawn(command, cwd=REPO_ROOT, env=env)
    try:
        client.request("initialize", {"adapterID": "godap"})
        launched = client.request("launch", {"program": str(core.exe), "coreFilePath": str(core.core)})
        assert launched["success"], launched
        client.wait_event("initialized")
        client.request("configurationDone")
        stopped = client.wait_event("stopped")["body"]
        threads = client.request("threads")["body"]["threads"]
        frames = client.request("stackTrace", {"threadId": stopped["threadId"], "levels": 20})["body"]["stackFrames"]
        assert len(threads) > 5 and any(f["name"] == "main.derefPlain" for f in frames), frames
        client.request("disconnect")
        client.assert_no_violations()
    finally:
        client.close()
    imported = [m.group(1) for line in client.stderr.splitlines() if (m := IMPORT_LINE.match(line))]
    assert "dap_server.adapter.go_adapter" in imported, client.stderr[-2000:]  # the log is complete
    early = {module: LOADED_LATER[name] for module in imported if (name := _loaded_later(module))}
    assert not early, f"imported by the first requests, though only these need them: {early}"
