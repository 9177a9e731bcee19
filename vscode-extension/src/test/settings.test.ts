import { folder, resetStub } from '../testSupport/vscodeStub';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { expandSettingPath, readSettings } from '../settings';

describe('settings', () => {
  it('expands ~ and ${workspaceFolder}; blank means unset', () => {
    assert.equal(expandSettingPath('~/venv/bin/python'), path.join(os.homedir(), 'venv/bin/python'));
    assert.equal(expandSettingPath('${workspaceFolder}/.venv/bin/python', '/ws'), '/ws/.venv/bin/python');
    assert.equal(expandSettingPath('  '), undefined);
    assert.equal(expandSettingPath(undefined), undefined);
  });

  it('reads godap.* for the folder, keeping only string server args', () => {
    const state = resetStub();
    state.settings = { 'godap.pythonPath': '${workspaceFolder}/py', 'godap.serverArgs': ['--a', 3, '--b'], 'godap.logFile': '' };
    const settings = readSettings(folder('/ws') as unknown as vscode.WorkspaceFolder);
    assert.deepEqual(settings, { pythonPath: '/ws/py', serverArgs: ['--a', '--b'], logFile: undefined });
    resetStub();
    assert.deepEqual(readSettings(undefined), { pythonPath: undefined, serverArgs: [], logFile: undefined });
  });
});
