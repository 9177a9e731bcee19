import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** What a file is, as far as picking a program for a core goes. */
export type FileKind = 'executable' | 'core' | 'other';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const ET_EXEC = 2;
const ET_DYN = 3;
const ET_CORE = 4;
const SHARED_LIBRARY = /\.so(\.\d+)*$/;
/** Enough for a folder of build outputs; a huge folder is not searched to the end. */
const MAX_ENTRIES = 2000;

/** Reads the ELF header: an executable (or PIE) with an execute bit, a core dump, or anything else. */
export async function fileKind(file: string): Promise<FileKind> {
  let handle: fs.FileHandle | undefined;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      return 'other';
    }
    handle = await fs.open(file, 'r');
    const header = Buffer.alloc(18);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    if (bytesRead < header.length || !header.subarray(0, 4).equals(ELF_MAGIC)) {
      return 'other';
    }
    const type = header[5] === 2 ? header.readUInt16BE(16) : header.readUInt16LE(16);
    if (type === ET_CORE) {
      return 'core';
    }
    const runnable = (stat.mode & 0o111) !== 0 && !SHARED_LIBRARY.test(file);
    return runnable && (type === ET_EXEC || type === ET_DYN) ? 'executable' : 'other';
  } catch {
    return 'other';
  } finally {
    await handle?.close();
  }
}

/** The executables directly in `dirs` (not in their subfolders), each once, sorted by path. */
export async function listExecutables(dirs: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = (await fs.readdir(dir)).slice(0, MAX_ENTRIES);
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      if (await fileKind(file) === 'executable') {
        found.add(file);
      }
    }
  }
  return [...found].sort();
}
