import * as path from 'node:path';
import * as vscode from 'vscode';

/** The part of `vscode.window` the pickers use (injectable for tests). */
export type OpenDialog = (options: vscode.OpenDialogOptions) => Thenable<vscode.Uri[] | undefined>;

function firstPath(uris: readonly vscode.Uri[] | undefined): string | undefined {
  const uri = uris?.[0];
  return uri === undefined ? undefined : uri.fsPath;
}

function defaultFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** Asks for the core dump; undefined when the user cancels. */
export async function pickCoreFile(showOpenDialog: OpenDialog, defaultUri = defaultFolder()): Promise<string | undefined> {
  const picked = await showOpenDialog({
    title: 'Select the Go core dump',
    openLabel: 'Open Core Dump',
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    defaultUri,
  });
  return firstPath(picked);
}

/**
 * Asks for the executable that produced the core; the dialog opens next to the core
 * (where the binary usually is) when its path is known. Undefined when the user cancels.
 */
export async function pickProgram(showOpenDialog: OpenDialog, coreFile?: string): Promise<string | undefined> {
  const defaultUri = coreFile !== undefined && path.isAbsolute(coreFile)
    ? vscode.Uri.file(path.dirname(coreFile))
    : defaultFolder();
  const picked = await showOpenDialog({
    title: 'Select the Go executable that produced the core dump',
    openLabel: 'Use Executable',
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    defaultUri,
  });
  return firstPath(picked);
}

/**
 * `${command:godap.pickProgram}` is run with the launch configuration as its argument;
 * use its core path (when already a plain path) to open the dialog next to the core.
 */
export function coreFileFromCommandArgument(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) {
    return undefined;
  }
  const core = (arg as { coreFilePath?: unknown }).coreFilePath;
  return typeof core === 'string' && core !== '' && !core.includes('${') ? core : undefined;
}
