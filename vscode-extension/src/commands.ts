import * as vscode from 'vscode';
import { coreDumpConfiguration } from './config';
import { pickCoreFile, pickProgram, windowPickerUi, type OpenDialog } from './pickers';

export interface OpenCoreDumpDeps {
  readonly openDialog: OpenDialog;
  readonly startDebugging: (folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration) => Thenable<boolean>;
  readonly folder: () => vscode.WorkspaceFolder | undefined;
}

/**
 * "godap: Open Core Dump…": picks the core (unless one was given, e.g. from the
 * explorer's context menu), then the executable, then starts a session.
 * Resolves false when the user cancelled or the session did not start.
 */
export async function openCoreDump(deps: OpenCoreDumpDeps, given?: unknown): Promise<boolean> {
  const core = given instanceof vscode.Uri ? given.fsPath : await pickCoreFile(deps.openDialog);
  if (core === undefined) {
    return false;
  }
  const program = await pickProgram(windowPickerUi(deps.openDialog), core);
  if (program === undefined) {
    return false;
  }
  const folder = deps.folder();
  return deps.startDebugging(folder, coreDumpConfiguration(core, program));
}

export function defaultOpenCoreDumpDeps(): OpenCoreDumpDeps {
  return {
    openDialog: (options) => vscode.window.showOpenDialog(options),
    startDebugging: (folder, config) => vscode.debug.startDebugging(folder, config),
    folder: () => {
      const active = vscode.window.activeTextEditor?.document.uri;
      const fromEditor = active === undefined ? undefined : vscode.workspace.getWorkspaceFolder(active);
      return fromEditor ?? vscode.workspace.workspaceFolders?.[0];
    },
  };
}
