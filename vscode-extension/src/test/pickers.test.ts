import { folder, resetStub, Uri } from '../testSupport/vscodeStub';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import * as vscode from 'vscode';
import { coreFileFromCommandArgument, pickCoreFile, pickProgram } from '../pickers';

const dialog = (options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined> => vscode.window.showOpenDialog(options);

describe('pickers', () => {
  beforeEach(() => { resetStub(); });

  it('pickCoreFile returns the chosen file, single-selection, starting in the workspace', async () => {
    const state = resetStub();
    state.workspaceFolders = [folder('/ws')];
    state.openDialogAnswers.push([Uri.file('/dumps/core.42')]);
    assert.equal(await pickCoreFile(dialog), '/dumps/core.42');
    const options = state.openDialogCalls[0];
    assert.ok(options);
    assert.equal(options.canSelectMany, false);
    assert.equal(options.canSelectFolders, false);
    assert.equal(options.canSelectFiles, true);
    assert.equal((options.defaultUri as Uri | undefined)?.fsPath, '/ws');
  });

  it('pickCoreFile returns undefined on cancel (and on an empty selection)', async () => {
    const state = resetStub();
    state.openDialogAnswers.push(undefined, []);
    assert.equal(await pickCoreFile(dialog), undefined);
    assert.equal(await pickCoreFile(dialog), undefined);
  });

  it('pickProgram opens next to the core and returns the chosen executable', async () => {
    const state = resetStub();
    state.openDialogAnswers.push([Uri.file('/dumps/app')]);
    assert.equal(await pickProgram(dialog, '/dumps/core.42'), '/dumps/app');
    assert.equal((state.openDialogCalls[0]?.defaultUri as Uri | undefined)?.fsPath, '/dumps');
    assert.match(String(state.openDialogCalls[0]?.title), /executable/);
  });

  it('pickProgram returns undefined on cancel', async () => {
    resetStub().openDialogAnswers.push(undefined);
    assert.equal(await pickProgram(dialog), undefined);
  });

  it('reads the core path from the launch configuration passed to ${command:godap.pickProgram}', () => {
    assert.equal(coreFileFromCommandArgument({ coreFilePath: '/d/core' }), '/d/core');
    assert.equal(coreFileFromCommandArgument({ coreFilePath: '${command:godap.pickCoreFile}' }), undefined);
    assert.equal(coreFileFromCommandArgument(undefined), undefined);
    assert.equal(coreFileFromCommandArgument('x'), undefined);
  });
});
