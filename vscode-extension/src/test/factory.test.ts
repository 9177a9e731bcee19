import { DebugAdapterExecutable, DebugAdapterServer, folder } from '../testSupport/vscodeStub';
import { fakeLaunchDeps } from '../testSupport/launchDeps';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { GodapAdapterFactory } from '../factory';

function session(configuration: Record<string, unknown>, ws = folder('/ws')): vscode.DebugSession {
  return {
    configuration: { type: 'godap', request: 'launch', name: 'x', ...configuration },
    workspaceFolder: ws,
  } as unknown as vscode.DebugSession;
}

describe('GodapAdapterFactory', () => {
  it('connects to a running server when debugServer is set (default host 127.0.0.1)', async () => {
    const fake = fakeLaunchDeps();
    const factory = new GodapAdapterFactory(fake.deps);
    const d = await factory.createDebugAdapterDescriptor(session({ debugServer: 4711 }));
    assert.ok(d instanceof DebugAdapterServer);
    assert.equal(d.port, 4711);
    assert.equal(d.host, '127.0.0.1');
    const remote = await factory.createDebugAdapterDescriptor(session({ debugServer: '4712', host: '10.1.2.3' }));
    assert.ok(remote instanceof DebugAdapterServer);
    assert.deepEqual([remote.port, remote.host], [4712, '10.1.2.3']);
    assert.deepEqual(fake.checks, [], 'no python check for a server connection');
  });

  it('rejects a debugServer that is not a port', async () => {
    const factory = new GodapAdapterFactory(fakeLaunchDeps().deps);
    await assert.rejects(factory.createDebugAdapterDescriptor(session({ debugServer: 'localhost' })), /TCP port/);
  });

  it('otherwise spawns python -m dap_server with the configured interpreter and extra args', async () => {
    const fake = fakeLaunchDeps({ settings: { pythonPath: '/opt/py', serverArgs: ['--verbose'] }, extensionPython: '/venv/python' });
    const d = await new GodapAdapterFactory(fake.deps).createDebugAdapterDescriptor(session({}));
    assert.ok(d instanceof DebugAdapterExecutable);
    assert.equal(d.command, '/opt/py');
    assert.deepEqual(d.args, ['-m', 'dap_server', '--verbose']);
    assert.equal(d.options?.env?.PYTHONUNBUFFERED, '1');
    assert.equal(d.options.cwd, '/ws');
    assert.deepEqual(fake.checks, [{ python: '/opt/py', cwd: '/ws' }]);
  });

  it("uses the Python extension's interpreter, then python3; an absolute cwd wins over the folder", async () => {
    const viaExt = await new GodapAdapterFactory(fakeLaunchDeps({ extensionPython: '/venv/python' }).deps)
      .createDebugAdapterDescriptor(session({ cwd: '/elsewhere' }));
    assert.ok(viaExt instanceof DebugAdapterExecutable);
    assert.deepEqual([viaExt.command, viaExt.options?.cwd], ['/venv/python', '/elsewhere']);
    const plain = await new GodapAdapterFactory(fakeLaunchDeps().deps).createDebugAdapterDescriptor(session({}));
    assert.ok(plain instanceof DebugAdapterExecutable);
    assert.equal(plain.command, 'python3');
  });

  it('refuses to start when the interpreter cannot import dap_server, and says how to fix it', async () => {
    const fake = fakeLaunchDeps({ check: { kind: 'missing', detail: "No module named 'dap_server'" } });
    await assert.rejects(
      new GodapAdapterFactory(fake.deps).createDebugAdapterDescriptor(session({})),
      /python3 -m pip install godap/,
    );
    assert.deepEqual(fake.missing, [{ python: 'python3', detail: "No module named 'dap_server'" }]);
  });

  it('starts anyway when the import check times out', async () => {
    const fake = fakeLaunchDeps({ check: { kind: 'timeout' } });
    const d = await new GodapAdapterFactory(fake.deps).createDebugAdapterDescriptor(session({}));
    assert.ok(d instanceof DebugAdapterExecutable);
    assert.match(fake.log.join('\n'), /did not answer in time/);
  });
});
