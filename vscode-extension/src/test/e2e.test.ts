/**
 * End to end: the real godap server (`python -m dap_server`) driven over stdio by
 * @vscode/debugadapter-testsupport's DebugClient, in the order VS Code uses, on a real core.
 *
 *   GODAP_TEST_EXE     the Go executable (required, else the suite is skipped)
 *   GODAP_TEST_CORE    its core dump (required, else the suite is skipped)
 *   GODAP_PYTHON       interpreter that runs the server (default: python3)
 *   GODAP_SERVER_CWD   directory the server runs in (default: the repository root, so
 *                      `dap_server` is importable without installing it)
 *   GODAP_TEST_TIMEOUT_MS  per-request timeout (default 60000: the first requests load the core)
 *   GODAP_TEST_VERBOSE set to stream the server's stderr
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { GodapTestClient, withTimeout } from '../testSupport/dapClient';

const exe = process.env.GODAP_TEST_EXE;
const core = process.env.GODAP_TEST_CORE;
const python = process.env.GODAP_PYTHON || 'python3';
const serverCwd = process.env.GODAP_SERVER_CWD || path.resolve(__dirname, '..', '..', '..');
const timeoutMs = Number(process.env.GODAP_TEST_TIMEOUT_MS) || 60000;
const skipReason = 'GODAP_TEST_EXE and GODAP_TEST_CORE are not set (the Python test suite sets them to a Go binary and its core)';

/** What VS Code 1.9x sends in `initialize`. */
const vscodeInitialize: DebugProtocol.InitializeRequestArguments = {
  clientID: 'vscode',
  clientName: 'Visual Studio Code',
  adapterID: 'godap',
  pathFormat: 'path',
  linesStartAt1: true,
  columnsStartAt1: true,
  supportsVariableType: true,
  supportsVariablePaging: true,
  supportsRunInTerminalRequest: true,
  locale: 'en',
  supportsProgressReporting: true,
  supportsInvalidatedEvent: true,
  supportsMemoryReferences: true,
  supportsArgsCanBeInterpretedByShell: true,
  supportsMemoryEvent: true,
  supportsStartDebuggingRequest: true,
};

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

const suiteName = 'godap server through DebugClient (VS Code order)';
if (!exe || !core) {
  it(suiteName, (t) => { t.skip(skipReason); });
} else {
  describe(suiteName, () => { e2eSuite(exe, core); });
}

function e2eSuite(exe: string, core: string): void {
  const dc = new GodapTestClient(python, serverCwd, Boolean(process.env.GODAP_TEST_VERBOSE));
  dc.defaultTimeout = timeoutMs;
  let stopped: DebugProtocol.StoppedEvent | undefined;
  let frames: DebugProtocol.StackFrame[] = [];

  before(() => { dc.launchServer(); });
  after(() => { dc.kill(); });

  it('initialize advertises configurationDone', async () => {
    const response = await dc.ok<DebugProtocol.InitializeResponse>('initialize', vscodeInitialize);
    assert.equal(response.body?.supportsConfigurationDoneRequest, true);
  });

  it('launch → initialized → configurationDone → one stopped event with allThreadsStopped', async () => {
    const initialized = dc.firstEvent('initialized', timeoutMs);
    const stoppedEvent = dc.firstEvent('stopped', timeoutMs);
    // VS Code adds its own keys; the server must ignore what it does not know.
    const launch = dc.raw('launch', {
      type: 'godap', request: 'launch', name: 'e2e', mode: 'core', program: exe, coreFilePath: core,
      __configurationTarget: 6, __sessionId: randomUUID(),
    }, timeoutMs);
    for (const pending of [initialized, stoppedEvent, launch]) {
      pending.catch(() => undefined); // reported where awaited; avoid unhandled rejections after a failure
    }
    // Like VS Code, do not wait for the launch response before configurationDone:
    // a server may answer launch only once configuration is done.
    await initialized;
    await dc.ok('configurationDone', undefined, timeoutMs);
    const launched = await launch;
    assert.equal(launched.success, true, `launch failed: ${launched.message ?? ''}${dc.stderrHint()}`);
    stopped = (await stoppedEvent) as DebugProtocol.StoppedEvent;
    assert.equal(stopped.body.allThreadsStopped, true);
    assert.ok(isInt(stopped.body.threadId), 'stopped event names the thread to show');
    assert.equal(typeof stopped.body.reason, 'string');
  });

  it('threads lists the goroutines, including the stopped one', async () => {
    const response = await dc.ok<DebugProtocol.ThreadsResponse>('threads');
    const threads = response.body.threads;
    assert.ok(threads.length > 0, 'no threads');
    for (const t of threads) {
      assert.ok(isInt(t.id) && t.id >= 0 && t.id < 2 ** 31, `thread id ${String(t.id)}`);
      assert.equal(typeof t.name, 'string');
    }
    assert.ok(threads.some((t) => t.id === stopped?.body.threadId), 'the stopped thread is listed');
  });

  it('stackTrace of the stopped thread has named frames with lines', async () => {
    assert.ok(stopped?.body.threadId !== undefined);
    const response = await dc.ok<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: stopped.body.threadId, startFrame: 0, levels: 20 });
    frames = response.body.stackFrames;
    assert.ok(frames.length > 0, 'no frames');
    assert.ok(frames.length <= 20, 'levels is honoured');
    for (const f of frames) {
      assert.ok(isInt(f.id), `frame id ${String(f.id)}`);
      assert.ok(typeof f.name === 'string' && f.name.length > 0, 'frame name');
      assert.ok(isInt(f.line) && f.line >= 0, `frame line ${String(f.line)}`);
      assert.ok(isInt(f.column), 'frame column');
    }
    assert.ok(frames.some((f) => f.line > 0 && typeof f.source?.path === 'string'), 'some frame has a source path and a line');
    if (response.body.totalFrames !== undefined) {
      assert.ok(response.body.totalFrames >= frames.length);
    }
  });

  it('scopes of the top frame, and variables of the first scope', async () => {
    const top = frames[0];
    assert.ok(top);
    const response = await dc.ok<DebugProtocol.ScopesResponse>('scopes', { frameId: top.id });
    const scopes = response.body.scopes;
    assert.ok(Array.isArray(scopes));
    for (const s of scopes) {
      assert.equal(typeof s.name, 'string');
      assert.ok(isInt(s.variablesReference) && s.variablesReference >= 0);
    }
    const first = scopes.find((s) => s.variablesReference > 0);
    if (first === undefined) {
      return;
    }
    const vars = await dc.ok<DebugProtocol.VariablesResponse>('variables', { variablesReference: first.variablesReference });
    for (const v of vars.body.variables) {
      assert.equal(typeof v.name, 'string');
      assert.equal(typeof v.value, 'string');
      assert.ok(isInt(v.variablesReference) && v.variablesReference >= 0);
    }
  });

  it('evaluate in the repl gives a result or a well-formed error', async () => {
    const response = await dc.raw('evaluate', { expression: '1+1', context: 'repl', frameId: frames[0]?.id });
    assert.equal(response.command, 'evaluate');
    if (response.success) {
      const body = (response as DebugProtocol.EvaluateResponse).body;
      assert.equal(typeof body.result, 'string');
      assert.ok(isInt(body.variablesReference));
    } else {
      assertErrorResponse(response);
    }
  });

  it('continue is refused: a core cannot run', async () => {
    const response = await dc.raw('continue', { threadId: stopped?.body.threadId ?? 1 });
    assert.equal(response.success, false, 'continue must fail on a core');
    assertErrorResponse(response);
    assert.deepEqual(dc.eventsNamed('continued'), []);
  });

  it('exactly one stopped event was sent (nvim-dap would auto-continue others)', () => {
    assert.equal(dc.eventsNamed('stopped').length, 1);
  });

  it('disconnect succeeds and the server exits', async () => {
    const response = await dc.ok('disconnect', { restart: false, terminateDebuggee: false }, timeoutMs);
    assert.equal(response.command, 'disconnect');
    dc.closeStdin();
    const exit = await withTimeout(dc.exited, 10000, 'server exit after disconnect');
    assert.equal(exit.code, 0, `server exit ${JSON.stringify(exit)}${dc.stderrHint()}`);
  });
}

function assertErrorResponse(response: DebugProtocol.Response): void {
  assert.equal(response.success, false);
  assert.ok(typeof response.message === 'string' && response.message.length > 0, 'error response has a message');
  const error = (response as DebugProtocol.ErrorResponse).body.error;
  if (error !== undefined) {
    assert.ok(isInt(error.id), 'body.error.id');
    assert.equal(typeof error.format, 'string');
  }
}
