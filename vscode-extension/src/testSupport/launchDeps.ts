import type { LaunchDeps } from '../factory';
import type { ImportCheck } from '../python';
import { ServerCheckCache } from '../serverCheck';
import type { GodapSettings } from '../settings';

export interface FakeLaunch {
  deps: LaunchDeps;
  checks: { python: string; cwd: string | undefined }[];
  missing: { python: string; detail: string }[];
  log: string[];
}

/** LaunchDeps with fixed settings, a fixed Python-extension answer and a scripted import check. */
export function fakeLaunchDeps(options: {
  settings?: Partial<GodapSettings>;
  extensionPython?: string;
  check?: ImportCheck;
} = {}): FakeLaunch {
  const fake: FakeLaunch = {
    checks: [],
    missing: [],
    log: [],
    deps: {
      settings: () => ({ pythonPath: undefined, serverArgs: [], logFile: undefined, ...options.settings }),
      pythonFromExtension: () => Promise.resolve(options.extensionPython),
      checks: new ServerCheckCache((python, cwd) => {
        fake.checks.push({ python, cwd });
        return Promise.resolve(options.check ?? { kind: 'ok' });
      }),
      showMissingServer: (python, detail) => {
        fake.missing.push({ python, detail });
        return Promise.resolve();
      },
      log: (message) => { fake.log.push(message); },
    },
  };
  return fake;
}
