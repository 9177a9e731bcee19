import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';

const made: string[] = [];

/** A fresh folder in the system's temporary directory, removed when the test file's tests end
 *  (a picker's folder holds a copy of node: some 95 MB a run, left behind otherwise). */
export function tempDir(prefix = 'godap-pick-'): string {
  if (made.length === 0) {
    after(() => { for (const dir of made.splice(0)) { fs.rmSync(dir, { recursive: true, force: true }); } });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
