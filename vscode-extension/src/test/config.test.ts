import '../testSupport/vscodeStub';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absolutizePaths, attachPickerConfiguration, debugServerPort, resolveConfiguration, type ResolveDeps } from '../config';

interface Recorder {
  deps: ResolveDeps;
  errors: string[];
  asked: string[];
}

function recorder(core: string | undefined, program: string | undefined, defaultLogFile?: string, pid?: string): Recorder {
  const r: Recorder = {
    errors: [],
    asked: [],
    deps: {
      pickCoreFile: () => { r.asked.push('core'); return Promise.resolve(core); },
      pickProgram: (coreFile) => { r.asked.push(`program(${String(coreFile)})`); return Promise.resolve(program); },
      pickProcess: () => { r.asked.push('process'); return Promise.resolve(pid); },
      showError: (message) => { r.errors.push(message); },
      defaultLogFile,
    },
  };
  return r;
}

describe('resolveConfiguration', () => {
  it('turns F5 without launch.json into a core launch through the pickers', async () => {
    const r = recorder('/dumps/core.123', '/bin/app');
    const config = await resolveConfiguration({ type: '', request: '', name: '' }, r.deps);
    assert.deepEqual(config, {
      type: 'godap', request: 'launch', name: 'Open core dump', mode: 'core',
      coreFilePath: '/dumps/core.123', program: '/bin/app',
    });
    assert.deepEqual(r.asked, ['core', 'program(/dumps/core.123)']);
  });

  it('also accepts the bare {} VS Code passes for F5 without launch.json', async () => {
    const r = recorder('/c', '/p');
    const config = await resolveConfiguration({} as Parameters<typeof resolveConfiguration>[0], r.deps);
    assert.equal(config?.type, 'godap');
    assert.deepEqual(r.asked, ['core', 'program(/c)']);
  });

  it('aborts quietly when the core picker is cancelled', async () => {
    const r = recorder(undefined, '/bin/app');
    assert.equal(await resolveConfiguration({ type: 'godap', request: 'launch', name: 'x' }, r.deps), undefined);
    assert.deepEqual(r.asked, ['core']);
    assert.deepEqual(r.errors, []);
  });

  it('aborts quietly when the program picker is cancelled', async () => {
    const r = recorder('/c', undefined);
    assert.equal(await resolveConfiguration({ type: 'godap', request: 'launch', name: 'x', coreFilePath: '/c' }, r.deps), undefined);
    assert.deepEqual(r.asked, ['program(/c)']);
  });

  it('asks only for what is missing', async () => {
    const r = recorder('/picked-core', '/picked-app');
    const config = await resolveConfiguration({ type: 'godap', request: 'launch', name: 'x', program: '/bin/app', coreFilePath: ' ' }, r.deps);
    assert.equal(config?.coreFilePath, '/picked-core');
    assert.equal(config.program, '/bin/app');
    assert.deepEqual(r.asked, ['core']);
  });

  it('leaves ${command:…} and ${workspaceFolder} values for VS Code to substitute', async () => {
    const r = recorder('/never', '/never');
    const input = {
      type: 'godap', request: 'launch', name: 'x',
      program: '${command:godap.pickProgram}', coreFilePath: '${workspaceFolder}/core',
      groupGoroutines: true, goroutineFilters: ['user', 'reason=chan receive'],
    };
    const config = await resolveConfiguration(input, r.deps);
    assert.deepEqual(config, { ...input, mode: 'core' });
    assert.deepEqual(r.asked, []);
  });

  it('fills a missing request and type, and the default log file', async () => {
    const r = recorder('/c', '/p', '/tmp/godap.log');
    const config = await resolveConfiguration({ type: 'godap', request: '', name: 'mine', program: '/p', coreFilePath: '/c' }, r.deps);
    assert.ok(config);
    assert.equal(config.request, 'launch');
    assert.equal(config.name, 'mine');
    assert.equal(config.logFile, '/tmp/godap.log');
    const own = await resolveConfiguration({ type: 'godap', request: 'launch', name: 'x', program: '/p', coreFilePath: '/c', logFile: '/mine.log' }, r.deps);
    assert.equal(own?.logFile, '/mine.log');
  });

  it('refuses modes other than core, with a message', async () => {
    const r = recorder('/c', '/p');
    assert.equal(await resolveConfiguration({ type: 'godap', request: 'launch', name: 'x', mode: 'debug', program: '/p', coreFilePath: '/c' }, r.deps), undefined);
    assert.match(r.errors[0] ?? '', /mode "debug" is not supported/);
  });

  it('refuses unknown requests', async () => {
    const r = recorder('/c', '/p');
    assert.equal(await resolveConfiguration({ type: 'godap', request: 'replay', name: 'x' }, r.deps), undefined);
    assert.match(r.errors[0] ?? '', /unknown request "replay"/);
  });

  it('passes attach configurations with a processId, and debugServer launches, through without pickers', async () => {
    const r = recorder('/never', '/never', undefined, '1');
    const attach = await resolveConfiguration({ type: 'godap', request: 'attach', name: 'a', processId: 42 }, r.deps);
    assert.deepEqual(attach, { type: 'godap', request: 'attach', name: 'a', mode: 'local', processId: 42 });
    const picker = { type: 'godap', request: 'attach', name: 'a', mode: 'local', processId: '${command:godap.pickGoProcess}' };
    assert.deepEqual(await resolveConfiguration(picker, r.deps), picker);
    const remote = await resolveConfiguration({ type: 'godap', request: 'launch', name: 'r', debugServer: 4711 }, r.deps);
    assert.equal(remote?.debugServer, 4711);
    assert.deepEqual(r.asked, []);
  });

  it('an attach without processId runs the process picker; cancel aborts quietly', async () => {
    const picked = recorder('/never', '/never', undefined, '4242');
    const config = await resolveConfiguration({ type: 'godap', request: 'attach', name: '', processId: ' ' }, picked.deps);
    assert.deepEqual(config, { type: 'godap', request: 'attach', name: 'Attach to Go process', mode: 'local', processId: '4242' });
    assert.deepEqual(picked.asked, ['process']);
    const cancelled = recorder('/never', '/never');
    assert.equal(await resolveConfiguration({ type: 'godap', request: 'attach', name: 'a' }, cancelled.deps), undefined);
    assert.deepEqual([cancelled.asked, cancelled.errors], [['process'], []]);
  });

  it('refuses attach modes other than local, with a message', async () => {
    const r = recorder('/never', '/never', undefined, '1');
    assert.equal(await resolveConfiguration({ type: 'godap', request: 'attach', name: 'a', mode: 'remote', processId: 7 }, r.deps), undefined);
    assert.match(r.errors[0] ?? '', /attach mode "remote" is not supported/);
  });
});

describe('attachPickerConfiguration', () => {
  it('attaches to the process picked by ${command:godap.pickGoProcess}', () => {
    assert.deepEqual(attachPickerConfiguration(), {
      type: 'godap', request: 'attach', name: 'Attach to Go process…', mode: 'local', processId: '${command:godap.pickGoProcess}',
    });
  });
});

describe('absolutizePaths', () => {
  it('resolves relative program and core against cwd, else the workspace folder', () => {
    const base = { type: 'godap', request: 'launch', name: 'x', program: 'bin/app', coreFilePath: 'core' };
    assert.deepEqual(absolutizePaths(base, '/ws'), { ...base, program: '/ws/bin/app', coreFilePath: '/ws/core' });
    assert.deepEqual(absolutizePaths({ ...base, cwd: '/other' }, '/ws'), { ...base, cwd: '/other', program: '/other/bin/app', coreFilePath: '/other/core' });
    assert.deepEqual(absolutizePaths({ ...base, program: '/abs/app' }, '/ws'), { ...base, program: '/abs/app', coreFilePath: '/ws/core' });
    assert.deepEqual(absolutizePaths(base, undefined), base);
  });
});

describe('debugServerPort', () => {
  it('accepts numbers and numeric strings, rejects the rest', () => {
    const c = { type: 'godap', request: 'launch', name: 'x' };
    assert.equal(debugServerPort(c), undefined);
    assert.equal(debugServerPort({ ...c, debugServer: 4711 }), 4711);
    assert.equal(debugServerPort({ ...c, debugServer: ' 4712 ' }), 4712);
    assert.throws(() => debugServerPort({ ...c, debugServer: 'abc' }), /TCP port/);
    assert.throws(() => debugServerPort({ ...c, debugServer: 70000 }), /TCP port/);
  });
});
