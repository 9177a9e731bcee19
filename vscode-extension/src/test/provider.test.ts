import { folder, Uri } from '../testSupport/vscodeStub';
import { fakeLaunchDeps } from '../testSupport/launchDeps';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import type { ImportCheck } from '../python';
import { GodapConfigurationProvider, GodapDynamicConfigurationProvider } from '../provider';

interface ProviderOptions {
  files?: string[];
  answers?: (string | undefined)[];
  check?: ImportCheck;
  logFile?: string;
  /** What `python -m dap_server processes --json` prints. */
  listing?: string;
}

function provider(options: ProviderOptions = {}) {
  const fake = fakeLaunchDeps({ check: options.check, settings: { logFile: options.logFile } });
  const errors: string[] = [];
  const dialogs: vscode.OpenDialogOptions[] = [];
  const listed: string[][] = [];
  const answers = [...(options.answers ?? [])];
  const p = new GodapConfigurationProvider({
    ...fake.deps,
    openDialog: (o) => {
      dialogs.push(o);
      const answer = answers.shift();
      return Promise.resolve(answer === undefined ? undefined : [Uri.file(answer) as unknown as vscode.Uri]);
    },
    showError: (m) => { errors.push(m); },
    exists: (f) => (options.files ?? []).includes(f),
    run: (command, args) => {
      listed.push([command, ...args]);
      return Promise.resolve({ code: 0, stdout: options.listing ?? '[]', stderr: '', timedOut: false });
    },
    showQuickPick: (items) => Promise.resolve(items[0]),
  });
  return { p, fake, errors, dialogs, listed };
}

const ws = folder('/ws') as unknown as vscode.WorkspaceFolder;

describe('GodapConfigurationProvider.resolveDebugConfiguration', () => {
  it('F5 with no launch.json: asks for the core, then the executable next to it', async () => {
    const { p, dialogs } = provider({ answers: ['/dumps/core', process.execPath], logFile: '/tmp/g.log' });
    const config = await p.resolveDebugConfiguration(ws, { type: '', request: '', name: '' });
    assert.deepEqual(config, {
      type: 'godap', request: 'launch', name: 'Open core dump', mode: 'core',
      coreFilePath: '/dumps/core', program: process.execPath, logFile: '/tmp/g.log',
    });
    assert.equal(dialogs.length, 2);
    assert.equal((dialogs[1]?.defaultUri as unknown as Uri).fsPath, '/dumps');
  });

  it('an attach config without processId lists the Go processes and takes the picked pid', async () => {
    const listing = JSON.stringify([{ pid: 4242, name: 'server', go_version: 'go1.26.8', command_line: ['/srv/server'] }]);
    const { p, listed } = provider({ listing });
    const config = await p.resolveDebugConfiguration(ws, { type: 'godap', request: 'attach', name: 'a' });
    assert.deepEqual(config, { type: 'godap', request: 'attach', name: 'a', mode: 'local', processId: '4242' });
    assert.deepEqual(listed, [['python3', '-m', 'dap_server', 'processes', '--json']]);
  });

  it('a launch config without coreFilePath prompts for it; cancel aborts', async () => {
    const { p } = provider({ answers: [undefined] });
    assert.equal(await p.resolveDebugConfiguration(ws, { type: 'godap', request: 'launch', name: 'x', program: '/app' }), undefined);
  });
});

describe('GodapConfigurationProvider.resolveDebugConfigurationWithSubstitutedVariables', () => {
  const base = { type: 'godap', request: 'launch', name: 'x', mode: 'core', program: 'app', coreFilePath: 'core' };

  it('makes paths absolute and checks the server once', async () => {
    const { p, fake, errors } = provider({ files: ['/ws/app', '/ws/core'] });
    const config = await p.resolveDebugConfigurationWithSubstitutedVariables(ws, base);
    assert.deepEqual(config, { ...base, program: '/ws/app', coreFilePath: '/ws/core' });
    assert.deepEqual(errors, []);
    assert.deepEqual(fake.checks, [{ python: 'python3', cwd: '/ws' }]);
  });

  it('stops with a message when the core or the executable does not exist', async () => {
    const noCore = provider({ files: ['/ws/app'] });
    assert.equal(await noCore.p.resolveDebugConfigurationWithSubstitutedVariables(ws, base), undefined);
    assert.deepEqual(noCore.errors, ['godap: Core dump not found: /ws/core']);
    const noApp = provider({ files: ['/ws/core'] });
    assert.equal(await noApp.p.resolveDebugConfigurationWithSubstitutedVariables(ws, base), undefined);
    assert.deepEqual(noApp.errors, ['godap: Executable not found: /ws/app']);
  });

  it('does not start when dap_server cannot be imported, showing the install hint', async () => {
    const { p, fake } = provider({ files: ['/ws/app', '/ws/core'], check: { kind: 'missing', detail: 'nope' } });
    assert.equal(await p.resolveDebugConfigurationWithSubstitutedVariables(ws, base), undefined);
    assert.deepEqual(fake.missing, [{ python: 'python3', detail: 'nope' }]);
  });

  it('skips file and interpreter checks for debugServer; rejects a bad port', async () => {
    const { p, fake, errors } = provider();
    const remote = { ...base, debugServer: 4711 };
    assert.deepEqual(await p.resolveDebugConfigurationWithSubstitutedVariables(ws, remote), { ...remote, program: '/ws/app', coreFilePath: '/ws/core' });
    assert.deepEqual(fake.checks, []);
    assert.equal(await p.resolveDebugConfigurationWithSubstitutedVariables(ws, { ...base, debugServer: 'x' }), undefined);
    assert.match(errors[0] ?? '', /TCP port/);
  });

  it('attach configurations need the interpreter check, and an executable that exists when one is named', async () => {
    const { p, fake, errors } = provider({ files: ['/ws/bin/app'] });
    const attach = { type: 'godap', request: 'attach', name: 'a', processId: 7 };
    assert.deepEqual(await p.resolveDebugConfigurationWithSubstitutedVariables(ws, attach), attach);
    assert.equal(fake.checks.length, 1);
    const named = { ...attach, program: 'bin/app' };
    assert.deepEqual(await p.resolveDebugConfigurationWithSubstitutedVariables(ws, named), { ...attach, program: '/ws/bin/app' });
    assert.equal(await p.resolveDebugConfigurationWithSubstitutedVariables(ws, { ...attach, program: '/gone' }), undefined);
    assert.deepEqual(errors, ['godap: Executable not found: /gone']);
  });
});

describe('GodapDynamicConfigurationProvider', () => {
  it('offers "Open core dump…" and "Attach to Go process…", both through the picker commands', () => {
    const [config, attach, ...rest] = new GodapDynamicConfigurationProvider().provideDebugConfigurations();
    assert.deepEqual(rest, []);
    assert.ok(config);
    assert.equal(config.type, 'godap');
    assert.equal(config.program, '${command:godap.pickProgram}');
    assert.equal(config.coreFilePath, '${command:godap.pickCoreFile}');
    assert.equal(attach?.request, 'attach');
    assert.equal(attach.processId, '${command:godap.pickGoProcess}');
  });
});
