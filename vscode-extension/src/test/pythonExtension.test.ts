import { resetStub, Uri, type StubExtension } from '../testSupport/vscodeStub';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { activeInterpreterFromPythonExtension } from '../pythonExtension';

function pythonExtension(api: unknown, active = true): StubExtension {
  const ext: StubExtension = { isActive: active, exports: api, activate: () => { ext.isActive = true; return Promise.resolve(api); } };
  return ext;
}

function environments(resolved: unknown, activePath = '/venv/bin/python', seen: unknown[] = []): unknown {
  return {
    environments: {
      getActiveEnvironmentPath: (resource: unknown) => { seen.push(resource); return { id: 'x', path: activePath }; },
      resolveEnvironment: () => Promise.resolve(resolved),
    },
  };
}

describe('activeInterpreterFromPythonExtension', () => {
  beforeEach(() => { resetStub(); });

  it('is undefined when ms-python.python is not installed', async () => {
    assert.equal(await activeInterpreterFromPythonExtension(undefined), undefined);
  });

  it('returns the resolved executable of the active environment for the resource', async () => {
    const seen: unknown[] = [];
    const resource = Uri.file('/ws');
    resetStub().extensions['ms-python.python'] = pythonExtension(
      environments({ executable: { uri: Uri.file('/venv/bin/python3.12') } }, '/venv', seen), false);
    assert.equal(await activeInterpreterFromPythonExtension(resource as never), '/venv/bin/python3.12');
    assert.deepEqual(seen, [resource]);
  });

  it('uses the active path when it names an interpreter that did not resolve', async () => {
    resetStub().extensions['ms-python.python'] = pythonExtension(environments(undefined, '/usr/bin/python3.11'));
    assert.equal(await activeInterpreterFromPythonExtension(undefined), '/usr/bin/python3.11');
  });

  it('tolerates an API that throws or never answers', async () => {
    resetStub().extensions['ms-python.python'] = pythonExtension({ environments: { getActiveEnvironmentPath: () => { throw new Error('boom'); } } });
    assert.equal(await activeInterpreterFromPythonExtension(undefined), undefined);
    resetStub().extensions['ms-python.python'] = pythonExtension({
      environments: { getActiveEnvironmentPath: () => ({ id: 'x', path: '/venv' }), resolveEnvironment: () => new Promise(() => undefined) },
    });
    assert.equal(await activeInterpreterFromPythonExtension(undefined, 50), undefined);
  });
});
