import { readFile, stat } from 'node:fs/promises';
import { InputError, MapbloatError } from '../errors.js';
import type { Io } from './io.js';

/** The bytes of a profile named on the command line; "-" is standard input. */
export async function readInput(path: string, io: Io): Promise<Uint8Array> {
  if (path === '-') return io.readStdin();
  try {
    if ((await stat(path)).isDirectory()) throw new InputError(`${path} is a directory, not a profile file`);
    return await readFile(path);
  } catch (err) {
    if (err instanceof MapbloatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`, { cause: err });
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`, { cause: err });
    throw new InputError(`${path}: cannot read it (${(err as Error).message})`, { cause: err });
  }
}

/** How an input is named in messages and reports. */
export function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}
