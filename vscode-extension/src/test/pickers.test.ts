import { folder, resetStub, Uri } from '../testSupport/vscodeStub';
import { tempDir } from '../testSupport/tempDirs';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileKind, listExecutables } from '../executables';
import { BROWSE_LABEL, coreFileFromCommandArgument, pickCoreFile, pickProgram, windowPickerUi, type ProgramItem } from '../pickers';

const dialog = (options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined> => vscode.window.showOpenDialog(options);

/** A folder with a real executable (a copy of node), a core (its ELF type set to ET_CORE), a shared library and a text file. */
function dumpDir(): string {
  const dir = tempDir();
  const program = fs.readFileSync(process.execPath);
  fs.writeFileSync(path.join(dir, 'app'), program, { mode: 0o755 });
  const core = Buffer.from(program.subarray(0, 4096));
  core.writeUInt16LE(4, 16);
  fs.writeFileSync(path.join(dir, 'core.42'), core, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'libx.so.1'), program.subarray(0, 4096), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'script.txt'), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

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

  it('pickProgram lists the executables next to the core, never the core itself', async () => {
    const dir = dumpDir();
    const state = resetStub();
    state.quickPickChoice = 0;
    assert.equal(await pickProgram(windowPickerUi(dialog), path.join(dir, 'core.42')), path.join(dir, 'app'));
    const items = state.quickPickCalls[0]?.items as ProgramItem[];
    assert.deepEqual(items.map((i) => i.label), ['app', BROWSE_LABEL]);
    assert.deepEqual(state.openDialogCalls, []);
  });

  it('pickProgram: Browse… opens the dialog next to the core and refuses a core dump', async () => {
    const dir = dumpDir();
    const state = resetStub();
    state.quickPickChoice = 1;
    state.openDialogAnswers.push([Uri.file(path.join(dir, 'core.42'))]);
    assert.equal(await pickProgram(windowPickerUi(dialog), path.join(dir, 'core.42')), undefined);
    assert.equal((state.openDialogCalls[0]?.defaultUri as Uri | undefined)?.fsPath, dir);
    assert.match(String(state.openDialogCalls[0]?.title), /executable/);
    assert.match(state.errorMessages[0]?.message ?? '', /core\.42 is a core dump/);
  });

  it('pickProgram with no executable around goes to the dialog; a text file is refused, cancel is undefined', async () => {
    const state = resetStub();
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    state.openDialogAnswers.push([Uri.file(path.join(dir, 'notes.txt'))], undefined);
    assert.equal(await pickProgram(windowPickerUi(dialog), path.join(dir, 'core')), undefined);
    assert.match(state.errorMessages[0]?.message ?? '', /notes\.txt is not an executable/);
    assert.equal(await pickProgram(windowPickerUi(dialog)), undefined);
    assert.deepEqual(state.quickPickCalls, []);
  });

  it('fileKind tells executables from cores, shared libraries and other files', async () => {
    const dir = dumpDir();
    assert.equal(await fileKind(path.join(dir, 'app')), 'executable');
    assert.equal(await fileKind(path.join(dir, 'core.42')), 'core');
    assert.equal(await fileKind(path.join(dir, 'libx.so.1')), 'other');
    assert.equal(await fileKind(path.join(dir, 'script.txt')), 'other');
    assert.equal(await fileKind(path.join(dir, 'missing')), 'other');
    assert.deepEqual(await listExecutables([dir, dir, '/nonexistent']), [path.join(dir, 'app')]);
  });

  it('reads the core path from the launch configuration passed to ${command:godap.pickProgram}', () => {
    assert.equal(coreFileFromCommandArgument({ coreFilePath: '/d/core' }), '/d/core');
    assert.equal(coreFileFromCommandArgument({ coreFilePath: '${command:godap.pickCoreFile}' }), undefined);
    assert.equal(coreFileFromCommandArgument(undefined), undefined);
    assert.equal(coreFileFromCommandArgument('x'), undefined);
  });
});
