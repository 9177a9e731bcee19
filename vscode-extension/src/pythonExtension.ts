import * as vscode from 'vscode';
import { PythonExtension } from '@vscode/python-extension';
import { PYTHON_EXTENSION_ID, PYTHON_EXTENSION_TIMEOUT_MS } from './constants';

/**
 * The interpreter selected in the Python extension (ms-python.python) for `resource`,
 * or undefined when that extension is absent, slow, or fails. Never rejects.
 */
export async function activeInterpreterFromPythonExtension(
  resource: vscode.Uri | undefined,
  timeoutMs: number = PYTHON_EXTENSION_TIMEOUT_MS,
): Promise<string | undefined> {
  if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID) === undefined) {
    return undefined;
  }
  try {
    return await withTimeout(lookup(resource), timeoutMs);
  } catch {
    return undefined;
  }
}

async function lookup(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const api = await PythonExtension.api();
  const envPath = api.environments.getActiveEnvironmentPath(resource);
  const resolved = await api.environments.resolveEnvironment(envPath);
  const executable = resolved?.executable.uri?.fsPath;
  if (executable) {
    return executable;
  }
  // An unresolved path may still name the interpreter itself; a folder is no use to us.
  return envPath.path && !envPath.path.endsWith('/') && /python[\d.]*(\.exe)?$/i.test(envPath.path)
    ? envPath.path
    : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { resolve(undefined); }, ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error instanceof Error ? error : new Error(String(error))); },
    );
  });
}
