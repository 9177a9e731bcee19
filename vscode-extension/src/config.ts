import * as path from 'node:path';
import type * as vscode from 'vscode';
import { COMMANDS, DEBUG_TYPE } from './constants';

/** The launch/attach attributes the extension itself looks at; the server reads the rest. */
export interface GodapConfiguration extends vscode.DebugConfiguration {
  program?: string;
  coreFilePath?: string;
  mode?: string;
  cwd?: string;
  logFile?: string;
  processId?: number | string;
  /** Port of a server started with `godap --listen HOST:PORT` (VS Code's generic attribute). */
  debugServer?: number | string;
  /** Host of that server; 127.0.0.1 when absent. */
  host?: string;
}

/** What resolving a configuration needs from the outside world. */
export interface ResolveDeps {
  readonly pickCoreFile: () => Promise<string | undefined>;
  readonly pickProgram: (coreFile: string | undefined) => Promise<string | undefined>;
  /** The Go process to attach to, as a pid string. */
  readonly pickProcess: () => Promise<string | undefined>;
  readonly showError: (message: string) => void;
  /** `godap.logFile`, used when the configuration sets none. */
  readonly defaultLogFile: string | undefined;
}

export function coreDumpConfiguration(coreFilePath: string, program: string): GodapConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Core dump: ${path.basename(coreFilePath)}`,
    mode: 'core',
    program,
    coreFilePath,
  };
}

/** The entry offered by "Run and Debug" → "Show all automatic debug configurations". */
export function pickerConfiguration(): GodapConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: 'Open core dump…',
    mode: 'core',
    program: `\${command:${COMMANDS.pickProgram}}`,
    coreFilePath: `\${command:${COMMANDS.pickCoreFile}}`,
  };
}

/** The entry "Show all automatic debug configurations" offers for attaching. */
export function attachPickerConfiguration(): GodapConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'attach',
    name: 'Attach to Go process…',
    mode: 'local',
    processId: `\${command:${COMMANDS.pickGoProcess}}`,
  };
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * First resolution step (before `${…}` variables are substituted).
 * Returns undefined to abort the launch quietly (the user cancelled a picker or the config is unusable).
 */
export async function resolveConfiguration(
  input: vscode.DebugConfiguration,
  deps: ResolveDeps,
): Promise<GodapConfiguration | undefined> {
  const config: GodapConfiguration = { ...input };
  const emptyF5 = !config.type && !config.request && !config.name;
  if (emptyF5) {
    // F5 with no launch.json: open a core dump through the pickers.
    Object.assign(config, { type: DEBUG_TYPE, request: 'launch', name: 'Open core dump', mode: 'core' });
  }
  config.type ||= DEBUG_TYPE;
  config.request ||= 'launch';
  config.name ||= config.request === 'attach' ? 'Attach to Go process' : 'Open core dump';

  if (config.request !== 'launch' && config.request !== 'attach') {
    deps.showError(`godap: unknown request "${config.request}"; use "launch" (core dump) or "attach".`);
    return undefined;
  }
  if (isBlank(config.logFile) && deps.defaultLogFile !== undefined) {
    config.logFile = deps.defaultLogFile;
  }
  if (config.request === 'attach') {
    return resolveAttach(config, deps);
  }
  if (!isBlank(config.debugServer)) {
    return config;
  }

  if (isBlank(config.mode)) {
    config.mode = 'core';
  } else if (config.mode !== 'core') {
    deps.showError(`godap: launch mode "${String(config.mode)}" is not supported; godap opens core dumps (mode "core").`);
    return undefined;
  }
  if (isBlank(config.coreFilePath)) {
    const core = await deps.pickCoreFile();
    if (core === undefined) {
      return undefined;
    }
    config.coreFilePath = core;
  }
  if (isBlank(config.program)) {
    const coreFile = config.coreFilePath?.includes('${') ? undefined : config.coreFilePath;
    const program = await deps.pickProgram(coreFile);
    if (program === undefined) {
      return undefined;
    }
    config.program = program;
  }
  return config;
}

/** An attach needs a process: the picker runs when `processId` is blank. */
async function resolveAttach(config: GodapConfiguration, deps: ResolveDeps): Promise<GodapConfiguration | undefined> {
  if (isBlank(config.mode)) {
    config.mode = 'local';
  } else if (config.mode !== 'local') {
    deps.showError(`godap: attach mode "${String(config.mode)}" is not supported; godap attaches to processes on this machine (mode "local").`);
    return undefined;
  }
  if (isBlank(config.processId)) {
    const pid = await deps.pickProcess();
    if (pid === undefined) {
      return undefined;
    }
    config.processId = pid;
  }
  return config;
}

/**
 * Second step (after substitution): make `program` and `coreFilePath` (launch or attach) absolute against
 * `cwd` (or the workspace folder) so the server does not depend on its own working directory.
 */
export function absolutizePaths(config: GodapConfiguration, folder: string | undefined): GodapConfiguration {
  const base = config.cwd !== undefined && path.isAbsolute(config.cwd) ? config.cwd : folder;
  if (base === undefined) {
    return config;
  }
  const out: GodapConfiguration = { ...config };
  for (const key of ['program', 'coreFilePath'] as const) {
    const value = out[key];
    if (typeof value === 'string' && value !== '' && !path.isAbsolute(value)) {
      out[key] = path.resolve(base, value);
    }
  }
  return out;
}

/** Parses `debugServer` (a port, possibly given as a string). Undefined when absent; throws when invalid. */
export function debugServerPort(config: GodapConfiguration): number | undefined {
  const raw = config.debugServer;
  if (isBlank(raw)) {
    return undefined;
  }
  const port = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`godap: debugServer must be a TCP port number (1-65535), got ${JSON.stringify(raw)}.`);
  }
  return port;
}
