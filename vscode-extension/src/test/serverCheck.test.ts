import { resetStub } from '../testSupport/vscodeStub';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { ImportCheck } from '../python';
import { COPY_INSTALL, missingServerMessage, OPEN_REMOTE_SETTINGS, OPEN_SETTINGS, ServerCheckCache, showMissingServer } from '../serverCheck';

describe('missing godap server message', () => {
  beforeEach(() => { resetStub(); });

  it('names the interpreter, the failure and the install command', () => {
    const message = missingServerMessage('/venv/bin/python', "No module named 'dap_server'");
    assert.match(message, /"\/venv\/bin\/python" cannot run the godap debug adapter/);
    assert.match(message, /No module named 'dap_server'/);
    assert.match(message, /\/venv\/bin\/python -m pip install godap/);
    assert.match(message, /godap\.pythonPath/);
  });

  it('offers the two actions; "Copy install command" fills the clipboard', async () => {
    const state = resetStub();
    state.errorChoice = COPY_INSTALL;
    await showMissingServer('python3', 'x');
    assert.deepEqual(state.errorMessages[0]?.items, [COPY_INSTALL, OPEN_SETTINGS]);
    assert.equal(state.clipboard, 'python3 -m pip install godap');
    assert.deepEqual(state.executedCommands, []);
  });

  it('"Open settings" opens the godap.pythonPath setting', async () => {
    const state = resetStub();
    state.errorChoice = OPEN_SETTINGS;
    await showMissingServer('python3', 'x');
    assert.deepEqual(state.executedCommands, [{ command: 'workbench.action.openSettings', args: ['godap.pythonPath'] }]);
    assert.equal(state.clipboard, '');
  });

  it('in a remote window, points at the Remote and Workspace settings, where VS Code reads the setting', async () => {
    const state = resetStub();
    state.remoteName = 'ssh-remote';
    state.errorChoice = OPEN_REMOTE_SETTINGS;
    await showMissingServer('python3', 'x');
    const shown = state.errorMessages[0];
    assert.match(shown?.message ?? '', /Remote settings \(ssh-remote\) or the Workspace settings/);
    assert.match(shown?.message ?? '', /User setting does not apply/);
    assert.deepEqual(shown?.items, [COPY_INSTALL, OPEN_REMOTE_SETTINGS]);
    assert.deepEqual(state.executedCommands, [{ command: 'workbench.action.openRemoteSettings', args: [{ query: 'godap.pythonPath' }] }]);
  });

  it('in a local window, the message names the setting and not the Remote settings', () => {
    assert.doesNotMatch(missingServerMessage('python3', 'x', undefined), /Remote/);
  });

  it('dismissing does nothing', async () => {
    const state = resetStub();
    await showMissingServer('python3', 'x');
    assert.deepEqual(state.executedCommands, []);
    assert.equal(state.clipboard, '');
  });
});

describe('ServerCheckCache', () => {
  it('remembers successes per (python, cwd) and re-checks failures', async () => {
    const answers: ImportCheck[] = [{ kind: 'missing', detail: 'x' }, { kind: 'ok' }, { kind: 'ok' }];
    let calls = 0;
    const cache = new ServerCheckCache(() => { calls += 1; return Promise.resolve(answers.shift() ?? { kind: 'ok' }); });
    assert.equal((await cache.run('py', '/a')).kind, 'missing');
    assert.equal((await cache.run('py', '/a')).kind, 'ok');
    assert.equal((await cache.run('py', '/a')).kind, 'ok');
    assert.equal(calls, 2);
    await cache.run('py', '/b');
    assert.equal(calls, 3);
  });
});
