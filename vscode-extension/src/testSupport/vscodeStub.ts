/**
 * A small stand-in for the `vscode` module, enough for the extension's code paths,
 * installed with `installVscodeStub()` before the code under test is required.
 * Every call that reaches the UI is recorded in `stub.state`; tests set the answers.
 */
import Module from 'node:module';
import * as path from 'node:path';

export class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri('file', path.resolve(p));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export class DebugAdapterExecutable {
  constructor(
    readonly command: string,
    readonly args: string[] = [],
    readonly options?: { cwd?: string; env?: Record<string, string> },
  ) {}
}

export class DebugAdapterServer {
  constructor(readonly port: number, readonly host?: string) {}
}

export enum DebugConfigurationProviderTriggerKind {
  Initial = 1,
  Dynamic = 2,
}

export interface Folder {
  readonly uri: Uri;
  readonly name: string;
  readonly index: number;
}

export function folder(fsPath: string): Folder {
  return { uri: Uri.file(fsPath), name: path.basename(fsPath), index: 0 };
}

export interface StubExtension {
  isActive: boolean;
  exports: unknown;
  activate: () => Promise<unknown>;
}

export interface StubState {
  /** Answers for successive showOpenDialog calls (shifted); undefined = cancel. */
  openDialogAnswers: (Uri[] | undefined)[];
  openDialogCalls: Record<string, unknown>[];
  /** Index of the item chosen in the next showQuickPick; undefined = dismissed. */
  quickPickChoice: number | undefined;
  quickPickCalls: { items: unknown[]; options: Record<string, unknown> }[];
  errorMessages: { message: string; items: string[] }[];
  infoMessages: string[];
  /** Button "clicked" on the next error message; undefined = dismissed. */
  errorChoice: string | undefined;
  clipboard: string;
  executedCommands: { command: string; args: unknown[] }[];
  registeredCommands: Map<string, (...args: unknown[]) => unknown>;
  configurationProviders: { type: string; provider: unknown; trigger: number | undefined }[];
  adapterFactories: { type: string; factory: unknown }[];
  startDebuggingCalls: { folder: unknown; config: Record<string, unknown> }[];
  settings: Record<string, unknown>;
  extensions: Record<string, StubExtension | undefined>;
  workspaceFolders: Folder[] | undefined;
  outputLines: string[];
  /** `vscode.env.remoteName`: undefined in a local window, e.g. "ssh-remote" in a remote one. */
  remoteName: string | undefined;
  /** Listeners of `vscode.debug.onDidStartDebugSession`. */
  sessionStartListeners: ((session: { type: string }) => void)[];
}

function freshState(): StubState {
  return {
    openDialogAnswers: [],
    openDialogCalls: [],
    quickPickChoice: undefined,
    quickPickCalls: [],
    errorMessages: [],
    infoMessages: [],
    errorChoice: undefined,
    clipboard: '',
    executedCommands: [],
    registeredCommands: new Map(),
    configurationProviders: [],
    adapterFactories: [],
    startDebuggingCalls: [],
    settings: {},
    extensions: {},
    workspaceFolders: undefined,
    outputLines: [],
    remoteName: undefined,
    sessionStartListeners: [],
  };
}

export const stub = { state: freshState() };

/** Forgets all recorded calls and answers (call in beforeEach). */
export function resetStub(): StubState {
  stub.state = freshState();
  return stub.state;
}

const disposable = { dispose: (): void => undefined };

const vscodeApi = {
  Uri,
  DebugAdapterExecutable,
  DebugAdapterServer,
  DebugConfigurationProviderTriggerKind,
  window: {
    showOpenDialog: (options: Record<string, unknown>): Promise<Uri[] | undefined> => {
      stub.state.openDialogCalls.push(options);
      return Promise.resolve(stub.state.openDialogAnswers.shift());
    },
    showQuickPick: (items: unknown[], options: Record<string, unknown>): Promise<unknown> => {
      stub.state.quickPickCalls.push({ items, options });
      const choice = stub.state.quickPickChoice;
      return Promise.resolve(choice === undefined ? undefined : items[choice]);
    },
    showErrorMessage: (message: string, ...items: string[]): Promise<string | undefined> => {
      stub.state.errorMessages.push({ message, items });
      return Promise.resolve(stub.state.errorChoice);
    },
    showInformationMessage: (message: string): Promise<undefined> => {
      stub.state.infoMessages.push(message);
      return Promise.resolve(undefined);
    },
    createOutputChannel: () => ({
      appendLine: (line: string): void => { stub.state.outputLines.push(line); },
      dispose: (): void => undefined,
    }),
    activeTextEditor: undefined,
  },
  workspace: {
    get workspaceFolders(): Folder[] | undefined {
      return stub.state.workspaceFolders;
    },
    getWorkspaceFolder: (): Folder | undefined => stub.state.workspaceFolders?.[0],
    getConfiguration: (section: string) => ({
      get: (key: string): unknown => stub.state.settings[`${section}.${key}`],
    }),
  },
  env: {
    get remoteName(): string | undefined {
      return stub.state.remoteName;
    },
    clipboard: {
      writeText: (text: string): Promise<void> => {
        stub.state.clipboard = text;
        return Promise.resolve();
      },
    },
  },
  commands: {
    registerCommand: (command: string, callback: (...args: unknown[]) => unknown) => {
      stub.state.registeredCommands.set(command, callback);
      return disposable;
    },
    executeCommand: (command: string, ...args: unknown[]): Promise<undefined> => {
      stub.state.executedCommands.push({ command, args });
      return Promise.resolve(undefined);
    },
  },
  debug: {
    registerDebugConfigurationProvider: (type: string, provider: unknown, trigger?: number) => {
      stub.state.configurationProviders.push({ type, provider, trigger });
      return disposable;
    },
    registerDebugAdapterDescriptorFactory: (type: string, factory: unknown) => {
      stub.state.adapterFactories.push({ type, factory });
      return disposable;
    },
    onDidStartDebugSession: (listener: (session: { type: string }) => void) => {
      stub.state.sessionStartListeners.push(listener);
      return disposable;
    },
    startDebugging: (folderArg: unknown, config: Record<string, unknown>): Promise<boolean> => {
      stub.state.startDebuggingCalls.push({ folder: folderArg, config });
      return Promise.resolve(true);
    },
  },
  extensions: {
    getExtension: (id: string): StubExtension | undefined => stub.state.extensions[id],
  },
};

const STUB_ID = '/__godap_test__/vscode-stub.js';
let installed = false;

/** Makes `require('vscode')` return the stub, for this process. Idempotent. */
export function installVscodeStub(): void {
  if (installed) {
    return;
  }
  installed = true;
  type Resolve = (request: string, ...rest: unknown[]) => string;
  const mod = Module as unknown as { _resolveFilename: Resolve };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'vscode' ? STUB_ID : original.call(this, request, ...rest);
  };
  const fake = new Module(STUB_ID);
  fake.filename = STUB_ID;
  fake.loaded = true;
  fake.exports = vscodeApi;
  require.cache[STUB_ID] = fake;
}

installVscodeStub();
