import * as vscode from 'vscode';
import { checkServerImport, installCommand, type ImportCheck } from './python';
import { SERVER_MODULE, SETTINGS_SECTION } from './constants';

export const COPY_INSTALL = 'Copy install command';
export const OPEN_SETTINGS = 'Open settings';
export const OPEN_REMOTE_SETTINGS = 'Open Remote settings';

const PYTHON_SETTING = `${SETTINGS_SECTION}.pythonPath`;

/**
 * Where godap.pythonPath is read. It is a machine setting (a path on the machine that runs the
 * server): in a remote window (SSH, WSL, containers, code-server) VS Code ignores its User value
 * and reads it from the Remote settings, or the Workspace settings.
 */
function whereToSet(remoteName: string | undefined): string {
  if (remoteName === undefined) {
    return `the ${PYTHON_SETTING} setting`;
  }
  return `the ${PYTHON_SETTING} setting of the Remote settings (${remoteName}) or the Workspace settings ` +
    '(in a remote window, its User setting does not apply)';
}

/** The user-facing text when `python -c "import dap_server"` fails. */
export function missingServerMessage(python: string, detail: string, remoteName: string | undefined = vscode.env.remoteName): string {
  return `godap: the Python interpreter "${python}" cannot run the godap debug adapter (import ${SERVER_MODULE} failed: ${detail}). ` +
    `Install it with "${installCommand(python)}" or choose another interpreter in ${whereToSet(remoteName)}.`;
}

/** Shows the error with its two actions and carries out the chosen one. Resolves once handled. */
export async function showMissingServer(python: string, detail: string): Promise<void> {
  const remoteName = vscode.env.remoteName;
  const settings = remoteName === undefined ? OPEN_SETTINGS : OPEN_REMOTE_SETTINGS;
  const choice = await vscode.window.showErrorMessage(missingServerMessage(python, detail, remoteName), COPY_INSTALL, settings);
  if (choice === COPY_INSTALL) {
    await vscode.env.clipboard.writeText(installCommand(python));
    void vscode.window.showInformationMessage(`Copied: ${installCommand(python)}`);
  } else if (choice === OPEN_SETTINGS) {
    await vscode.commands.executeCommand('workbench.action.openSettings', PYTHON_SETTING);
  } else if (choice === OPEN_REMOTE_SETTINGS) {
    await vscode.commands.executeCommand('workbench.action.openRemoteSettings', { query: PYTHON_SETTING });
  }
}

/**
 * Remembers interpreters that imported the server, so the check runs once per
 * (python, cwd) and not at every launch; failures are re-checked next time.
 */
export class ServerCheckCache {
  private readonly ok = new Set<string>();

  constructor(private readonly check: (python: string, cwd: string | undefined) => Promise<ImportCheck> = checkServerImport) {}

  async run(python: string, cwd: string | undefined): Promise<ImportCheck> {
    const key = `${python}\u0000${cwd ?? ''}`;
    if (this.ok.has(key)) {
      return { kind: 'ok' };
    }
    const result = await this.check(python, cwd);
    if (result.kind === 'ok') {
      this.ok.add(key);
    }
    return result;
  }
}
