import * as vscode from 'vscode';
import { checkServerImport, installCommand, type ImportCheck } from './python';
import { SERVER_MODULE, SETTINGS_SECTION } from './constants';

export const COPY_INSTALL = 'Copy install command';
export const OPEN_SETTINGS = 'Open settings';

/** The user-facing text when `python -c "import dap_server"` fails. */
export function missingServerMessage(python: string, detail: string): string {
  return `godap: the Python interpreter "${python}" cannot run the godap debug adapter (import ${SERVER_MODULE} failed: ${detail}). ` +
    `Install it with "${installCommand(python)}" or choose another interpreter in the godap.pythonPath setting.`;
}

/** Shows the error with its two actions and carries out the chosen one. Resolves once handled. */
export async function showMissingServer(python: string, detail: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(missingServerMessage(python, detail), COPY_INSTALL, OPEN_SETTINGS);
  if (choice === COPY_INSTALL) {
    await vscode.env.clipboard.writeText(installCommand(python));
    void vscode.window.showInformationMessage(`Copied: ${installCommand(python)}`);
  } else if (choice === OPEN_SETTINGS) {
    await vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.pythonPath`);
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
