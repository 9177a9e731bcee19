import { resetStub, Uri } from '../testSupport/vscodeStub';
import { tempDir } from '../testSupport/tempDirs';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { COMMANDS, DEBUG_TYPE } from '../constants';
import { activate } from '../extension';

interface Debugger {
  type: string;
  label: string;
  languages: string[];
  variables: Record<string, string>;
  configurationAttributes: Record<string, { required?: string[]; properties: Record<string, { type?: unknown; default?: unknown; enum?: unknown[] }> }>;
  initialConfigurations: Record<string, unknown>[];
  configurationSnippets: { label: string; body: Record<string, unknown> }[];
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  main: string;
  activationEvents: string[];
  contributes: { commands: { command: string }[]; debuggers: Debugger[]; configuration: { properties: Record<string, unknown> } };
};

function activated() {
  const state = resetStub();
  const subscriptions: { dispose(): unknown }[] = [];
  activate({ subscriptions } as unknown as vscode.ExtensionContext);
  return { state, subscriptions };
}

describe('activate', () => {
  it('registers the commands, both configuration providers and the adapter factory', () => {
    const { state, subscriptions } = activated();
    assert.deepEqual([...state.registeredCommands.keys()].sort(), Object.values(COMMANDS).sort());
    assert.deepEqual(state.configurationProviders.map((p) => [p.type, p.trigger]), [[DEBUG_TYPE, undefined], [DEBUG_TYPE, 2]]);
    assert.deepEqual(state.adapterFactories.map((f) => f.type), [DEBUG_TYPE]);
    assert.equal(subscriptions.length, 9);
  });

  it('opens the Run and Debug view when a godap session starts, and only then', () => {
    const { state } = activated();
    for (const listener of state.sessionStartListeners) {
      listener({ type: 'python' });
      listener({ type: DEBUG_TYPE });
    }
    assert.deepEqual(state.executedCommands, [{ command: 'workbench.view.debug', args: [] }]);
  });

  it('the picker commands return the chosen path, or undefined to cancel the launch', async () => {
    const { state } = activated();
    state.openDialogAnswers.push([Uri.file('/d/core')], undefined, [Uri.file(process.execPath)]);
    const pickCore = state.registeredCommands.get(COMMANDS.pickCoreFile);
    const pickProgram = state.registeredCommands.get(COMMANDS.pickProgram);
    assert.equal(await pickCore?.(), '/d/core');
    assert.equal(await pickCore?.(), undefined);
    assert.equal(await pickProgram?.({ coreFilePath: '/d/core' }), process.execPath);
    assert.equal((state.openDialogCalls[2]?.defaultUri as Uri).fsPath, '/d');
  });

  it('godap.pickGoProcess lists through godap.pythonPath and returns the picked pid', async () => {
    const dir = tempDir();
    const python = path.join(dir, 'python');
    const entry = { pid: 4242, name: 'server', go_version: 'go1.26.8', command_line: ['/srv/server', '-v'] };
    fs.writeFileSync(python, [
      '#!/bin/sh',
      '[ "$1" = -c ] && exit 0', // the import check
      '[ "$*" = "-m dap_server processes --json" ] || { echo "bad arguments: $*" >&2; exit 3; }',
      `echo '${JSON.stringify([entry])}'`,
      '',
    ].join('\n'), { mode: 0o755 });
    try {
      const { state } = activated();
      state.settings['godap.pythonPath'] = python;
      state.quickPickChoice = 0;
      const pick = state.registeredCommands.get(COMMANDS.pickGoProcess);
      assert.equal(await pick?.({ type: 'godap', request: 'attach', name: 'a', cwd: dir }), '4242');
      const [shown] = state.quickPickCalls;
      assert.deepEqual(shown?.items, [{ label: 'server', description: 'pid 4242 · go1.26.8', detail: '/srv/server -v', pid: '4242' }]);
      state.quickPickChoice = undefined;
      assert.equal(await pick?.(undefined), undefined);
      assert.deepEqual(state.errorMessages, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('package.json', () => {
  const [dbg] = manifest.contributes.debuggers;

  it('declares the godap debugger for Go with the picker variables wired to registered commands', () => {
    assert.ok(dbg);
    assert.equal(dbg.type, DEBUG_TYPE);
    assert.equal(dbg.label, 'Go core dump (godap)');
    assert.deepEqual(dbg.languages, ['go']);
    assert.deepEqual(dbg.variables, {
      pickCoreFile: COMMANDS.pickCoreFile, pickProgram: COMMANDS.pickProgram, pickGoProcess: COMMANDS.pickGoProcess,
    });
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command), [COMMANDS.openCoreDump]);
    assert.equal(manifest.main, './out/extension.js');
    for (const event of ['onDebugResolve:godap', 'onDebugDynamicConfigurations:godap', `onCommand:${COMMANDS.openCoreDump}`]) {
      assert.ok(manifest.activationEvents.includes(event), event);
    }
  });

  it('declares the launch attributes with types and defaults', () => {
    const launch = dbg?.configurationAttributes.launch;
    assert.ok(launch);
    assert.deepEqual(launch.required, ['program', 'coreFilePath']);
    const p = launch.properties;
    const expect: [string, unknown, unknown][] = [
      ['program', 'string', undefined], ['coreFilePath', 'string', undefined], ['mode', 'string', 'core'],
      ['substitutePath', 'array', []], ['hideSystemGoroutines', 'boolean', false],
      ['goroutineFilters', ['string', 'array'], []], ['groupGoroutines', 'boolean', false],
      ['showGlobalVariables', 'boolean', true], ['showRegisters', 'boolean', false],
      ['stackTraceDepth', 'integer', 50], ['logFile', 'string', undefined], ['cwd', 'string', undefined],
    ];
    for (const [name, type, def] of expect) {
      assert.ok(p[name], name);
      assert.deepEqual(p[name].type, type, name);
      if (def !== undefined) {
        assert.deepEqual(p[name].default, def, name);
      }
    }
    assert.deepEqual(p.mode?.enum, ['core']);
  });

  it('declares the attach attributes: a picked processId, mode "local", the shared options', () => {
    const attach = dbg?.configurationAttributes.attach;
    assert.ok(attach);
    assert.deepEqual(attach.required, ['processId']);
    const p = attach.properties;
    const { processId, mode } = p;
    assert.ok(processId && mode);
    assert.deepEqual([processId.type, processId.default], [['number', 'string'], '${command:godap.pickGoProcess}']);
    assert.deepEqual([mode.enum, mode.default], [['local'], 'local']);
    assert.equal(p.coreFilePath, undefined);
    for (const name of ['program', 'substitutePath', 'goroutineFilters', 'groupGoroutines', 'logFile', 'cwd']) {
      assert.ok(p[name], name);
    }
    assert.doesNotMatch(JSON.stringify(attach), /reserved|not supported yet|command:pickProcess/);
  });

  it('initial configuration and snippets use the picker commands and valid requests', () => {
    assert.ok(dbg);
    const [initial, ...others] = dbg.initialConfigurations;
    assert.deepEqual(others, []);
    assert.ok(initial);
    assert.equal(initial.program, '${command:godap.pickProgram}');
    assert.equal(initial.coreFilePath, '${command:godap.pickCoreFile}');
    assert.deepEqual(dbg.configurationSnippets.map((s) => s.body.request), ['launch', 'launch', 'attach']);
    assert.equal(dbg.configurationSnippets[1]?.body.groupGoroutines, true);
    assert.deepEqual(dbg.configurationSnippets[2]?.body, {
      type: 'godap', request: 'attach', name: 'Attach to Go process', mode: 'local',
      processId: '^"\\${command:godap.pickGoProcess}"',
    });
  });

  it('substitutePath says what the server reads, as Delve: "from" is local, "to" as recorded in the binary', () => {
    assert.ok(dbg);
    for (const request of ['launch', 'attach']) {
      const rule = dbg.configurationAttributes[request]?.properties.substitutePath as unknown as {
        description: string; items: { properties: Record<string, { description: string }> };
      };
      assert.match(rule.description, /"from" is the path on this machine, "to" the path recorded in the executable/, request);
      assert.match(rule.items.properties.from?.description ?? '', /^Local path prefix/, request);
      assert.match(rule.items.properties.to?.description ?? '', /recorded in the executable/, request);
    }
  });

  it('declares the three settings', () => {
    assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), ['godap.logFile', 'godap.pythonPath', 'godap.serverArgs']);
  });
});
