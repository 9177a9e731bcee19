import { execFile } from 'node:child_process';
import { IMPORT_CHECK_TIMEOUT_MS, SERVER_DISTRIBUTION, SERVER_MODULE } from './constants';

export const DEFAULT_PYTHON = 'python3';

export type PythonSource = 'setting' | 'python-extension' | 'default';

export interface PythonChoice {
  readonly command: string;
  readonly source: PythonSource;
}

export interface PythonSources {
  /** `godap.pythonPath`, already expanded; undefined when unset. */
  readonly configured: string | undefined;
  /** The Python extension's active interpreter; resolves undefined when unavailable. Must not reject. */
  readonly fromPythonExtension: () => Promise<string | undefined>;
}

/** Our setting first, then the Python extension's interpreter, then `python3`. */
export async function selectPython(sources: PythonSources): Promise<PythonChoice> {
  if (sources.configured) {
    return { command: sources.configured, source: 'setting' };
  }
  let fromExtension: string | undefined;
  try {
    fromExtension = await sources.fromPythonExtension();
  } catch {
    fromExtension = undefined;
  }
  if (fromExtension) {
    return { command: fromExtension, source: 'python-extension' };
  }
  return { command: DEFAULT_PYTHON, source: 'default' };
}

export type ImportCheck =
  | { readonly kind: 'ok' }
  /** The interpreter ran and could not import the server, or could not be started at all. */
  | { readonly kind: 'missing'; readonly detail: string }
  /** The interpreter did not answer in time: we cannot tell, so the launch goes ahead. */
  | { readonly kind: 'timeout' };

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Set when the process could not be spawned (e.g. ENOENT). */
  readonly spawnError?: string;
}

export type ProcessRunner = (
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs: number },
) => Promise<RunResult>;

/** Enough for `processes --json` on a machine with thousands of Go processes. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export const runProcess: ProcessRunner = (command, args, options) =>
  new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd, timeout: options.timeoutMs, windowsHide: true, encoding: 'utf8', maxBuffer: MAX_OUTPUT_BYTES },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ code: 0, stdout, stderr, timedOut: false });
          return;
        }
        const err = error as Error & { killed?: boolean; signal?: NodeJS.Signals | null; code?: number | string | null };
        if (typeof err.code === 'string') {
          resolve({ code: null, stdout, stderr, timedOut: false, spawnError: `${err.code}: ${err.message}` });
          return;
        }
        const timedOut = err.killed === true && err.signal === 'SIGTERM';
        resolve({ code: typeof err.code === 'number' ? err.code : null, stdout, stderr, timedOut });
      },
    );
  });

/** Runs `python -c "import dap_server"` in the directory the adapter will run in. */
export async function checkServerImport(
  python: string,
  cwd: string | undefined,
  run: ProcessRunner = runProcess,
  timeoutMs: number = IMPORT_CHECK_TIMEOUT_MS,
): Promise<ImportCheck> {
  const result = await run(python, ['-c', `import ${SERVER_MODULE}`], { cwd, timeoutMs });
  if (result.timedOut) {
    return { kind: 'timeout' };
  }
  if (result.spawnError !== undefined) {
    return { kind: 'missing', detail: result.spawnError };
  }
  if (result.code === 0) {
    return { kind: 'ok' };
  }
  return { kind: 'missing', detail: lastLine(result.stderr) ?? `exit code ${String(result.code)}` };
}

/** The command a user can paste into a terminal to install the server for this interpreter. */
export function installCommand(python: string): string {
  return `${shellQuote(python)} -m pip install ${SERVER_DISTRIBUTION}`;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function lastLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return lines[lines.length - 1];
}
