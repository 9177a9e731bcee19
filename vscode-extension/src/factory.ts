import * as path from 'node:path';
import * as vscode from 'vscode';
import { debugServerPort, type GodapConfiguration } from './config';
import { SERVER_MODULE } from './constants';
import { selectPython, type PythonChoice } from './python';
import { missingServerMessage, type ServerCheckCache } from './serverCheck';
import type { GodapSettings } from './settings';

/** How the adapter process is started: `python -m dap_server [serverArgs…]`. */
export interface AdapterLaunch {
  readonly python: PythonChoice;
  readonly args: string[];
  readonly cwd: string | undefined;
  readonly env: Record<string, string>;
}

export interface LaunchDeps {
  readonly settings: (folder: vscode.WorkspaceFolder | undefined) => GodapSettings;
  readonly pythonFromExtension: (resource: vscode.Uri | undefined) => Promise<string | undefined>;
  readonly checks: ServerCheckCache;
  readonly showMissingServer: (python: string, detail: string) => Promise<void>;
  readonly log: (message: string) => void;
}

export async function adapterLaunch(
  folder: vscode.WorkspaceFolder | undefined,
  config: GodapConfiguration,
  deps: LaunchDeps,
): Promise<AdapterLaunch> {
  const settings = deps.settings(folder);
  const python = await selectPython({
    configured: settings.pythonPath,
    fromPythonExtension: () => deps.pythonFromExtension(folder?.uri),
  });
  const cwd = typeof config.cwd === 'string' && path.isAbsolute(config.cwd) ? config.cwd : folder?.uri.fsPath;
  return {
    python,
    args: ['-m', SERVER_MODULE, ...settings.serverArgs],
    cwd,
    env: { PYTHONUNBUFFERED: '1' },
  };
}

/**
 * Checks that the chosen interpreter can import the server. On failure shows the
 * error (with "Copy install command" / "Open settings") without waiting for the user,
 * and returns the message; returns undefined when the launch may go ahead.
 */
export async function serverProblem(launch: AdapterLaunch, deps: LaunchDeps): Promise<string | undefined> {
  const check = await deps.checks.run(launch.python.command, launch.cwd);
  if (check.kind === 'timeout') {
    deps.log(`"${launch.python.command} -c 'import ${SERVER_MODULE}'" did not answer in time; starting anyway.`);
    return undefined;
  }
  if (check.kind === 'ok') {
    return undefined;
  }
  void deps.showMissingServer(launch.python.command, check.detail);
  return missingServerMessage(launch.python.command, check.detail);
}

export class GodapAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly deps: LaunchDeps) {}

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    const config = session.configuration as GodapConfiguration;
    const port = debugServerPort(config);
    if (port !== undefined) {
      const host = typeof config.host === 'string' && config.host !== '' ? config.host : '127.0.0.1';
      this.deps.log(`Connecting to the godap server at ${host}:${port}.`);
      return new vscode.DebugAdapterServer(port, host);
    }
    const launch = await adapterLaunch(session.workspaceFolder, config, this.deps);
    const problem = await serverProblem(launch, this.deps);
    if (problem !== undefined) {
      throw new Error(problem);
    }
    this.deps.log(`Starting ${launch.python.command} ${launch.args.join(' ')} (python from ${launch.python.source}` +
      `${launch.cwd === undefined ? '' : `, cwd ${launch.cwd}`}).`);
    return new vscode.DebugAdapterExecutable(launch.python.command, launch.args, { cwd: launch.cwd, env: launch.env });
  }
}
