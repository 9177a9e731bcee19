import { folder } from '../testSupport/vscodeStub';
import { fakeLaunchDeps } from '../testSupport/launchDeps';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import type { ImportCheck, RunResult } from '../python';
import { parseProcessList, pickGoProcess, processItem, type GoProcessItem } from '../processPicker';

const LISTING = JSON.stringify([
  { pid: 4242, name: 'server', go_version: 'go1.26.8', command_line: ['/srv/server', '-port', '8080'] },
  { pid: 77, name: 'worker', go_version: 'go1.22.12', command_line: [] },
]);

interface Picking {
  runs: { command: string; args: readonly string[]; cwd: string | undefined }[];
  picks: { items: readonly GoProcessItem[]; options: vscode.QuickPickOptions }[];
  errors: string[];
  missing: { python: string; detail: string }[];
  pick: (config?: Record<string, unknown>) => Promise<string | undefined>;
}

function picking(options: {
  result?: Partial<RunResult>;
  choose?: (items: readonly GoProcessItem[]) => GoProcessItem | undefined;
  check?: ImportCheck;
  pythonPath?: string;
} = {}): Picking {
  const fake = fakeLaunchDeps({ check: options.check, settings: { pythonPath: options.pythonPath } });
  const p: Picking = { runs: [], picks: [], errors: [], missing: fake.missing, pick: () => Promise.resolve(undefined) };
  const deps = {
    ...fake.deps,
    run: (command: string, args: readonly string[], o: { cwd?: string }) => {
      p.runs.push({ command, args, cwd: o.cwd });
      return Promise.resolve({ code: 0, stdout: LISTING, stderr: '', timedOut: false, ...options.result });
    },
    showQuickPick: (items: readonly GoProcessItem[], o: vscode.QuickPickOptions) => {
      p.picks.push({ items, options: o });
      return Promise.resolve(options.choose?.(items));
    },
    showError: (message: string) => { p.errors.push(message); },
  };
  const ws = folder('/ws') as unknown as vscode.WorkspaceFolder;
  p.pick = (config = {}) => pickGoProcess(ws, { type: 'godap', request: 'attach', name: 'a', ...config }, deps);
  return p;
}

describe('parseProcessList', () => {
  it('reads the entries of `processes --json`', () => {
    assert.deepEqual(parseProcessList(LISTING), [
      { pid: 4242, name: 'server', goVersion: 'go1.26.8', commandLine: ['/srv/server', '-port', '8080'] },
      { pid: 77, name: 'worker', goVersion: 'go1.22.12', commandLine: [] },
    ]);
    assert.deepEqual(parseProcessList('[]'), []);
  });

  it('refuses what the server does not print', () => {
    assert.throws(() => parseProcessList('{"pid": 1}'), /not a JSON array/);
    assert.throws(() => parseProcessList('[{"pid": "1", "name": "x", "go_version": "go1.26.8", "command_line": []}]'), /unexpected entry/);
    assert.throws(() => parseProcessList('[{"pid": 1, "name": "x", "go_version": "go1.26.8", "command_line": "x"}]'), /unexpected entry/);
    assert.throws(() => parseProcessList('[null]'), /unexpected entry/);
    assert.throws(() => parseProcessList('Traceback'), SyntaxError);
  });
});

describe('processItem', () => {
  it('shows the name, then the pid and Go release, then the command line', () => {
    const item = processItem({ pid: 4242, name: 'server', goVersion: 'go1.26.8', commandLine: ['/srv/server', '-port', '8080'] });
    assert.deepEqual(item, { label: 'server', description: 'pid 4242 · go1.26.8', detail: '/srv/server -port 8080', pid: '4242' });
  });
});

describe('pickGoProcess', () => {
  it('lists with the server interpreter in the adapter cwd and returns the chosen pid as a string', async () => {
    const p = picking({ pythonPath: '/venv/bin/python', choose: (items) => items[1] });
    assert.equal(await p.pick({ cwd: '/elsewhere' }), '77');
    assert.deepEqual(p.runs, [{ command: '/venv/bin/python', args: ['-m', 'dap_server', 'processes', '--json'], cwd: '/elsewhere' }]);
    const [shown] = p.picks;
    assert.ok(shown);
    assert.deepEqual(shown.items.map((i) => i.label), ['server', 'worker']);
    assert.equal(shown.options.matchOnDescription, true);
    assert.equal(shown.options.matchOnDetail, true);
    assert.deepEqual(p.errors, []);
  });

  it('resolves undefined when the list is dismissed', async () => {
    const p = picking();
    assert.equal(await p.pick(), undefined);
    assert.equal(p.picks.length, 1);
    assert.equal(p.runs[0]?.cwd, '/ws');
  });

  it('says so when there is no Go process, without an empty list', async () => {
    const p = picking({ result: { stdout: '[]' } });
    assert.equal(await p.pick(), undefined);
    assert.deepEqual(p.picks, []);
    assert.match(p.errors[0] ?? '', /no Go process to attach to/);
  });

  it('reports a listing that failed, timed out or could not be read', async () => {
    const failed = picking({ result: { code: 2, stdout: '', stderr: 'usage: godap\ngodap: error: unrecognized arguments: processes\n' } });
    assert.equal(await failed.pick(), undefined);
    assert.match(failed.errors[0] ?? '', /cannot list the Go processes with "python3 -m dap_server processes": godap: error: unrecognized arguments/);
    const slow = picking({ result: { code: null, timedOut: true } });
    assert.equal(await slow.pick(), undefined);
    assert.match(slow.errors[0] ?? '', /no answer within 20 s/);
    const absent = picking({ result: { code: null, spawnError: 'ENOENT: spawn python3 ENOENT' } });
    assert.equal(await absent.pick(), undefined);
    assert.match(absent.errors[0] ?? '', /ENOENT/);
    const garbled = picking({ result: { stdout: 'not json' } });
    assert.equal(await garbled.pick(), undefined);
    assert.match(garbled.errors[0] ?? '', /cannot list the Go processes/);
    assert.deepEqual([failed, slow, absent, garbled].map((x) => x.picks), [[], [], [], []]);
  });

  it('does not list when the interpreter cannot import the server, and offers the install command', async () => {
    const p = picking({ check: { kind: 'missing', detail: "No module named 'dap_server'" } });
    assert.equal(await p.pick(), undefined);
    assert.deepEqual(p.runs, []);
    assert.deepEqual(p.missing, [{ python: 'python3', detail: "No module named 'dap_server'" }]);
  });
});
