"""Hostile input end to end (issue 7): the same fuzz cases as the in-process runs, fewer of them,
through the real `python -m dap_server` process on stdio and on TCP. The process must answer
everything it can identify, exit cleanly when its input ends, and outlive any client on TCP.
"""

from __future__ import annotations

import random
import socket
import subprocess
from collections.abc import Iterator

import pytest
from support.dap_client import DapClient
from support.fuzz.campaign import Runner
from support.fuzz.driver import is_internal_error
from support.fuzz.fixtures import all_fixtures, go_fixture
from support.fuzz.protocol import random_script
from support.fuzz.scale import scaled, seed
from support.fuzz.wire import Outcome, check_output
from support.session import LISTENING, REPO_ROOT, SERVER_COMMAND, server_env, start_listening

CORE_CASES = scaled(12)
SCRIPTS = scaled(30)
EXIT_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    runner = Runner({name: f for name, f in all_fixtures().items() if not name.startswith("foreign")})
    yield runner
    runner.close()


def _walk(client: DapClient) -> None:
    """What an editor asks after a launch, stopping quietly where the damage leaves nothing to ask."""
    client.request("configurationDone")
    threads = client.request("threads").get("body", {}).get("threads", [])
    for thread in threads[:3]:
        frames = client.request("stackTrace", {"threadId": thread["id"], "levels": 20}).get("body", {})
        for frame in frames.get("stackFrames", [])[:2]:
            scopes = client.request("scopes", {"frameId": frame["id"]}).get("body", {}).get("scopes", [])
            for scope in scopes[:2]:
                client.request("variables", {"variablesReference": scope["variablesReference"], "count": 10})
    client.request("exceptionInfo", {"threadId": threads[0]["id"] if threads else 1})


def test_mutated_cores_through_the_server_process(runner: Runner) -> None:
    names = runner.fixture_names
    for index in range(CORE_CASES):
        case = runner.random_case(seed() + 1, index, names[index % len(names)])
        with runner.mutated(case) as (program, core):
            client = DapClient.spawn(SERVER_COMMAND, cwd=REPO_ROOT, env=server_env())
            try:
                client.request("initialize", {"adapterID": "fuzz"})
                launched = client.request("launch", {"program": str(program), "coreFilePath": str(core)})
                if launched["success"]:
                    _walk(client)
                else:
                    assert launched["message"], case.describe()
                client.request("disconnect")
            finally:
                client.close()
            assert client.process is not None and client.process.returncode == 0, (case.describe(), client.stderr)
        internal = [m for m in client.messages if m.get("type") == "response" and is_internal_error(m)]
        assert not client.violations and not internal, (case.describe(), client.violations[:5], internal[:3])


def _run_raw(data: bytes) -> tuple[bytes, int, str]:
    process = subprocess.run(
        list(SERVER_COMMAND),
        input=data,
        capture_output=True,
        cwd=REPO_ROOT,
        env=server_env(),
        timeout=EXIT_TIMEOUT,
        check=False,
    )
    return process.stdout, process.returncode, process.stderr.decode(errors="replace")


def test_hostile_scripts_through_the_server_process() -> None:
    fixture = go_fixture("zoo")
    rng = random.Random(seed() + 2)
    for number in range(SCRIPTS):
        script = random_script(rng, (fixture.exe, fixture.core))
        output, returncode, stderr = _run_raw(script.wire())
        outcome = Outcome()
        check_output(outcome, output, script)
        assert returncode == 0, (number, stderr[-2000:])
        assert "Traceback" not in stderr, stderr[-2000:]
        assert not outcome.problems, (number, outcome.problems[:5])


def test_input_that_ends_mid_request_lets_the_process_finish_and_exit() -> None:
    fixture = go_fixture("zoo")
    client = DapClient.spawn(SERVER_COMMAND, cwd=REPO_ROOT, env=server_env())
    try:
        client.send_request("initialize", {"adapterID": "fuzz"})
        seq = client.send_request("launch", {"program": fixture.exe, "coreFilePath": fixture.core})
        client.send_request("threads")
        assert client.process is not None and client.process.stdin is not None
        client.process.stdin.close()  # the client hangs up while launch runs
        assert client.wait_response(seq)["success"]
        client.process.wait(EXIT_TIMEOUT)
    finally:
        client.close()
    assert client.process.returncode == 0
    assert not client.violations, client.violations


def _tcp_server() -> tuple[subprocess.Popen[str], int]:
    process, said = start_listening("0", EXIT_TIMEOUT)
    match = LISTENING.search(said)
    if match is None:
        process.kill()
        raise AssertionError(f"the server did not start listening: {said}")
    return process, int(match.group(2))


@pytest.mark.parametrize(
    "hostile",
    [
        b"Content-Length: 99999999999\r\n\r\n",
        b"\x00\xff" * 5000,
        b'Content-Length: 10\r\n\r\n{"seq":',  # then the client vanishes mid-frame
        b"Content-Length: 2\r\n\r\n[]" * 200,
    ],
    ids=["huge-length", "binary", "cut-frame", "not-objects"],
)
def test_tcp_server_outlives_hostile_clients(hostile: bytes) -> None:
    process, port = _tcp_server()
    try:
        for _ in range(2):
            with socket.create_connection(("127.0.0.1", port), timeout=EXIT_TIMEOUT) as sock:
                sock.sendall(hostile)
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(65536):
                    pass
        client = DapClient.connect("127.0.0.1", port)
        try:
            assert client.request("initialize", {"adapterID": "fuzz"})["success"]
            client.request("disconnect")
        finally:
            client.close()
        assert process.poll() is None, "the server died"
        assert not client.violations, client.violations
    finally:
        process.terminate()
        process.wait(EXIT_TIMEOUT)
