import { folder, resetStub, Uri } from '../testSupport/vscodeStub';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { openCoreDump, type OpenCoreDumpDeps } from '../commands';

/** A real executable, as the executable picker accepts nothing else. */
const PROGRAM = process.execPath;

function deps(answers: (string | undefined)[]) {
  const started: { folder: unknown; config: vscode.DebugConfiguration }[] = [];
  const dialogs: vscode.OpenDialogOptions[] = [];
  const d: OpenCoreDumpDeps = {
    openDialog: (o) => {
      dialogs.push(o);
      const a = answers.shift();
      return Promise.resolve(a === undefined ? undefined : [Uri.file(a) as unknown as vscode.Uri]);
    },
    startDebugging: (f, config) => { started.push({ folder: f, config }); return Promise.resolve(true); },
    folder: () => folder('/ws') as unknown as vscode.WorkspaceFolder,
  };
  return { d, started, dialogs };
}

describe('godap.openCoreDump', () => {
  it('picks the core, then the executable, then starts a godap session', async () => {
    resetStub();
    const { d, started, dialogs } = deps(['/dumps/core.7', PROGRAM]);
    assert.equal(await openCoreDump(d), true);
    assert.equal(dialogs.length, 2);
    assert.deepEqual(started[0]?.config, {
      type: 'godap', request: 'launch', name: 'Core dump: core.7', mode: 'core',
      program: PROGRAM, coreFilePath: '/dumps/core.7',
    });
    assert.equal((started[0].folder as { name: string }).name, 'ws');
  });

  it('does nothing when either picker is cancelled', async () => {
    const atCore = deps([undefined]);
    assert.equal(await openCoreDump(atCore.d), false);
    assert.equal(atCore.started.length, 0);
    const atProgram = deps(['/dumps/core', undefined]);
    assert.equal(await openCoreDump(atProgram.d), false);
    assert.equal(atProgram.started.length, 0);
  });

  it('uses a core given from the explorer and only asks for the executable', async () => {
    const { d, started, dialogs } = deps([PROGRAM]);
    assert.equal(await openCoreDump(d, Uri.file('/dumps/core')), true);
    assert.equal(dialogs.length, 1);
    assert.equal(started[0]?.config.coreFilePath, '/dumps/core');
  });
});
