import type * as vscode from 'vscode';
import type { GodapConfiguration } from './config';
import { PROCESS_LIST_TIMEOUT_MS, SERVER_MODULE } from './constants';
import { adapterLaunch, serverProblem, type LaunchDeps } from './factory';
import { lastLine, type ProcessRunner } from './python';

/** One entry of `python -m dap_server processes --json`. */
export interface GoProcess {
  readonly pid: number;
  readonly name: string;
  readonly goVersion: string;
  readonly commandLine: readonly string[];
}

export interface GoProcessItem extends vscode.QuickPickItem {
  /** The process id, as `${command:godap.pickGoProcess}` hands it to the configuration. */
  readonly pid: string;
}

export type ShowProcessPick = (
  items: readonly GoProcessItem[],
  options: vscode.QuickPickOptions,
) => Thenable<GoProcessItem | undefined>;

export interface PickProcessDeps extends LaunchDeps {
  readonly run: ProcessRunner;
  readonly showQuickPick: ShowProcessPick;
  readonly showError: (message: string) => void;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Reads the server's listing; throws when it is not the array of entries the server prints. */
export function parseProcessList(stdout: string): GoProcess[] {
  const parsed: unknown = JSON.parse(stdout);
  if (!Array.isArray(parsed)) {
    throw new Error('the listing is not a JSON array');
  }
  return parsed.map((entry: unknown): GoProcess => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const { pid, name, go_version: goVersion, command_line: commandLine } = e;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof name !== 'string' ||
      typeof goVersion !== 'string' || !isStringArray(commandLine)) {
      throw new Error(`unexpected entry ${JSON.stringify(entry)}`);
    }
    return { pid, name, goVersion, commandLine };
  });
}

export function processItem(process: GoProcess): GoProcessItem {
  return {
    label: process.name,
    description: `pid ${process.pid} · ${process.goVersion}`,
    detail: process.commandLine.join(' '),
    pid: String(process.pid),
  };
}

/** The listing, or an Error that says why there is none. */
async function listGoProcesses(python: string, cwd: string | undefined, run: ProcessRunner): Promise<GoProcess[]> {
  const result = await run(python, ['-m', SERVER_MODULE, 'processes', '--json'], { cwd, timeoutMs: PROCESS_LIST_TIMEOUT_MS });
  if (result.timedOut) {
    throw new Error(`no answer within ${PROCESS_LIST_TIMEOUT_MS / 1000} s`);
  }
  if (result.spawnError !== undefined) {
    throw new Error(result.spawnError);
  }
  if (result.code !== 0) {
    throw new Error(lastLine(result.stderr) ?? `exit code ${String(result.code)}`);
  }
  return parseProcessList(result.stdout);
}

/**
 * `${command:godap.pickGoProcess}`: lists the Go processes with the interpreter that will run the
 * server and lets the user choose one. Resolves the pid as a string; undefined (which cancels the
 * launch) when the user dismisses the list or there is nothing to pick.
 */
export async function pickGoProcess(
  folder: vscode.WorkspaceFolder | undefined,
  config: GodapConfiguration,
  deps: PickProcessDeps,
): Promise<string | undefined> {
  const launch = await adapterLaunch(folder, config, deps);
  if ((await serverProblem(launch, deps)) !== undefined) {
    return undefined;
  }
  let processes: GoProcess[];
  try {
    processes = await listGoProcesses(launch.python.command, launch.cwd, deps.run);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    deps.showError(`godap: cannot list the Go processes with "${launch.python.command} -m ${SERVER_MODULE} processes": ${detail}`);
    return undefined;
  }
  if (processes.length === 0) {
    deps.showError('godap: no Go process to attach to was found (processes of other users need root or CAP_SYS_PTRACE).');
    return undefined;
  }
  const picked = await deps.showQuickPick(processes.map(processItem), {
    title: 'Attach to a Go process',
    placeHolder: 'Filter by name, pid, Go version or command line',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.pid;
}

/** The configuration VS Code passes to `${command:…}` variables, when it is one. */
export function configurationFromCommandArgument(arg: unknown): GodapConfiguration {
  return (typeof arg === 'object' && arg !== null ? arg : {}) as GodapConfiguration;
}
