import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SETTINGS_SECTION } from './constants';

/** The extension's own settings (`godap.*`), already normalised. */
export interface GodapSettings {
  /** Interpreter chosen by the user, or undefined when the setting is empty. */
  readonly pythonPath: string | undefined;
  /** Extra arguments appended to `python -m dap_server`. */
  readonly serverArgs: readonly string[];
  /** Default `logFile` for configurations that set none. */
  readonly logFile: string | undefined;
}

/** Expands `~` and `${workspaceFolder}` in a setting; returns undefined for an empty one. */
export function expandSettingPath(value: string | undefined, workspaceFolder?: string): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) {
    return undefined;
  }
  let expanded = trimmed;
  if (workspaceFolder !== undefined) {
    expanded = expanded.split('${workspaceFolder}').join(workspaceFolder);
  }
  if (expanded === '~' || expanded.startsWith('~/')) {
    expanded = path.join(os.homedir(), expanded.slice(1));
  }
  return expanded;
}

export function readSettings(folder?: vscode.WorkspaceFolder): GodapSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder?.uri);
  const folderPath = folder?.uri.fsPath;
  const args = config.get<unknown>('serverArgs');
  return {
    pythonPath: expandSettingPath(config.get<string>('pythonPath'), folderPath),
    serverArgs: Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string') : [],
    logFile: expandSettingPath(config.get<string>('logFile'), folderPath),
  };
}
