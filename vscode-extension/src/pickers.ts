import * as path from 'node:path';
import * as vscode from 'vscode';
import { fileKind, listExecutables } from './executables';

/** The part of `vscode.window` the pickers use (injectable for tests). */
export type OpenDialog = (options: vscode.OpenDialogOptions) => Thenable<vscode.Uri[] | undefined>;

/** One entry of the executable list: a file, or "Browse…". */
export interface ProgramItem extends vscode.QuickPickItem {
  readonly file: string | undefined;
}

export type ShowProgramPick = (items: ProgramItem[], options: vscode.QuickPickOptions) => Thenable<ProgramItem | undefined>;

export interface ProgramPickerUi {
  readonly openDialog: OpenDialog;
  readonly showQuickPick: ShowProgramPick;
  readonly showError: (message: string) => void;
}

export const BROWSE_LABEL = 'Browse…';

function firstPath(uris: readonly vscode.Uri[] | undefined): string | undefined {
  const uri = uris?.[0];
  return uri === undefined ? undefined : uri.fsPath;
}

function defaultFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** The window's quick pick and error messages, with the given dialog. */
export function windowPickerUi(
  openDialog: OpenDialog,
  showError: (message: string) => void = (message) => { void vscode.window.showErrorMessage(message); },
): ProgramPickerUi {
  return { openDialog, showQuickPick: (items, options) => vscode.window.showQuickPick(items, options), showError };
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
 * Asks for the executable that produced the core. The executables (ELF programs with an execute
 * bit: never a core) next to the core and in the workspace folder are listed first, with
 * "Browse…" for any other; the dialog opens next to the core (where the binary usually is). A
 * browsed file that is no executable is refused. Undefined when the user cancels.
 */
export async function pickProgram(ui: ProgramPickerUi, coreFile?: string): Promise<string | undefined> {
  const coreDir = coreFile !== undefined && path.isAbsolute(coreFile) ? path.dirname(coreFile) : undefined;
  const workspaceDir = defaultFolder()?.fsPath;
  const candidates = await listExecutables([coreDir, workspaceDir].filter((d): d is string => d !== undefined));
  if (candidates.length > 0) {
    const items: ProgramItem[] = candidates.map((file) => ({ label: path.basename(file), description: path.dirname(file), file }));
    items.push({ label: BROWSE_LABEL, description: 'choose another file', file: undefined });
    const chosen = await ui.showQuickPick(items, {
      title: 'Select the Go executable that produced the core dump',
      placeHolder: 'Executables next to the core and in the workspace',
      matchOnDescription: true,
    });
    if (chosen === undefined) {
      return undefined;
    }
    if (chosen.file !== undefined) {
      return chosen.file;
    }
  }
  const picked = firstPath(await ui.openDialog({
    title: 'Select the Go executable that produced the core dump',
    openLabel: 'Use Executable',
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    defaultUri: coreDir !== undefined ? vscode.Uri.file(coreDir) : defaultFolder(),
  }));
  if (picked === undefined) {
    return undefined;
  }
  const kind = await fileKind(picked);
  if (kind !== 'executable') {
    const what = kind === 'core' ? 'a core dump' : 'not an executable';
    ui.showError(`godap: ${picked} is ${what}; pick the Go program that produced the core.`);
    return undefined;
  }
  return picked;
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
