import { expect } from 'vitest';
import { runCli, type FakeIoOptions } from '../helpers.js';
import { synthProfile } from '../synth.js';

/** An owner whose name is an attack on the page. */
export const HOSTILE = 'main.<script>alert(1)</script>';

/** The JSON block of a report, parsed as the page's script parses it. */
export function reportData(html: string): Record<string, unknown> {
  const m = /<script type="application\/json" id="mapbloat-data">(.*?)<\/script>/s.exec(html);
  if (m === null) throw new Error('no data block');
  return JSON.parse(m[1]) as Record<string, unknown>;
}

/** The HTML report of a mapbloat command line (exit 0, or 1 for a breached gate). */
export async function html(argv: readonly string[], options: FakeIoOptions = {}): Promise<string> {
  const { code, stdout } = await runCli([...argv, '--format', 'html'], options);
  expect([0, 1]).toContain(code);
  return stdout;
}

/** A profile with one map site whose owner's name is an attack on the page. */
export function hostileProfile(): Uint8Array {
  return synthProfile(
    [
      ['alloc_objects', 'count'],
      ['alloc_space', 'bytes'],
      ['inuse_objects', 'count'],
      ['inuse_space', 'bytes'],
    ],
    [
      {
        stack: [
          ['runtime.mapassign_faststr', 10],
          [HOSTILE, 20],
          ['main.main', 30],
        ],
        values: [2, 4096, 1, 2048],
      },
      {
        stack: [
          ['runtime.mallocgc', 5],
          ['main.main', 31],
        ],
        values: [1, 1024, 1, 1024],
      },
    ],
  );
}
