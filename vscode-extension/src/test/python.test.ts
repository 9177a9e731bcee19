import { resetStub } from '../testSupport/vscodeStub';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkServerImport, installCommand, runProcess, selectPython, type ProcessRunner, type RunResult } from '../python';

const never = (): Promise<string | undefined> => Promise.reject(new Error('must not be asked'));

describe('selectPython', () => {
  it('uses godap.pythonPath first, without asking the Python extension', async () => {
    resetStub();
    const choice = await selectPython({ configured: '/opt/py/bin/python', fromPythonExtension: never });
    assert.deepEqual(choice, { command: '/opt/py/bin/python', source: 'setting' });
  });

  it("falls back to the Python extension's active interpreter", async () => {
    const choice = await selectPython({ configured: undefined, fromPythonExtension: () => Promise.resolve('/venv/bin/python') });
    assert.deepEqual(choice, { command: '/venv/bin/python', source: 'python-extension' });
  });

  it('falls back to python3 when the Python extension has nothing or fails', async () => {
    const none = await selectPython({ configured: undefined, fromPythonExtension: () => Promise.resolve(undefined) });
    assert.deepEqual(none, { command: 'python3', source: 'default' });
    const failing = await selectPython({ configured: undefined, fromPythonExtension: never });
    assert.deepEqual(failing, { command: 'python3', source: 'default' });
  });
});

function runner(result: RunResult, seen: unknown[] = []): ProcessRunner {
  return (command, args, options) => {
    seen.push({ command, args, options });
    return Promise.resolve(result);
  };
}

describe('checkServerImport', () => {
  it('runs python -c "import dap_server" in the adapter cwd', async () => {
    const seen: unknown[] = [];
    const check = await checkServerImport('py', '/ws', runner({ code: 0, stdout: '', stderr: '', timedOut: false }, seen), 1234);
    assert.deepEqual(check, { kind: 'ok' });
    assert.deepEqual(seen, [{ command: 'py', args: ['-c', 'import dap_server'], options: { cwd: '/ws', timeoutMs: 1234 } }]);
  });

  it('reports the last stderr line when the import fails', async () => {
    const stderr = 'Traceback (most recent call last):\n  File "<string>", line 1\nModuleNotFoundError: No module named \'dap_server\'\n';
    const check = await checkServerImport('py', undefined, runner({ code: 1, stdout: '', stderr, timedOut: false }));
    assert.deepEqual(check, { kind: 'missing', detail: "ModuleNotFoundError: No module named 'dap_server'" });
  });

  it('reports an interpreter that cannot be started', async () => {
    const check = await checkServerImport('nope', undefined, runner({ code: null, stdout: '', stderr: '', timedOut: false, spawnError: 'ENOENT: spawn nope ENOENT' }));
    assert.deepEqual(check, { kind: 'missing', detail: 'ENOENT: spawn nope ENOENT' });
  });

  it('does not block a launch when the interpreter is slow', async () => {
    const check = await checkServerImport('py', undefined, runner({ code: null, stdout: '', stderr: '', timedOut: true }));
    assert.deepEqual(check, { kind: 'timeout' });
  });

  it('really runs processes: exit code, stdout, stderr, missing binary, timeout', async () => {
    const node = process.execPath;
    const failed = await runProcess(node, ['-e', 'process.stdout.write("[]"); process.stderr.write("boom\\n"); process.exit(3)'], { timeoutMs: 10000 });
    assert.equal(failed.code, 3);
    assert.equal(failed.stdout, '[]');
    assert.equal(failed.stderr, 'boom\n');
    assert.equal(failed.timedOut, false);
    const missing = await runProcess('/nonexistent/python9', [], { timeoutMs: 10000 });
    assert.match(missing.spawnError ?? '', /ENOENT/);
    const slow = await runProcess(node, ['-e', 'setTimeout(() => {}, 20000)'], { timeoutMs: 300 });
    assert.equal(slow.timedOut, true);
    const check = await checkServerImport('/nonexistent/python9', undefined);
    assert.equal(check.kind, 'missing');
  });
});

describe('installCommand', () => {
  it('names the interpreter and the PyPI distribution, quoting when needed', () => {
    assert.equal(installCommand('python3'), 'python3 -m pip install godap');
    assert.equal(installCommand('/home/me/my env/bin/python'), "'/home/me/my env/bin/python' -m pip install godap");
  });
});
