import { expect } from 'vitest';
import type { CliResult } from '../helpers.js';

/** Control characters but newline: what must never reach a terminal from a name or a message. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
/** chalk's colours (SGR sequences), the only escapes the table writes on purpose. */
const SGR = /\u001b\[[0-9;]*m/g;

export interface RunShape {
  readonly format: 'table' | 'json' | 'markdown' | 'html';
  /** Colours were allowed (a terminal, no NO_COLOR, no --no-color). */
  readonly color?: boolean;
  readonly command: 'analyze' | 'diff';
}

/**
 * What every run of the CLI promises (docs: exit codes): exit 0 with a report on stdout and only
 * notes on stderr; exit 1 (diff) with a report and a threshold line per breach; exit 2 with
 * nothing on stdout and one line on stderr starting "mapbloat: ". Never a stack trace, never a
 * control character a terminal would act on, JSON that parses.
 */
export function expectCliContract(result: CliResult, shape: RunShape): void {
  const { code, stdout, stderr } = result;
  const context =
    `exit ${code}\nstderr: ${JSON.stringify(stderr.slice(0, 2000))}\nstdout: ` +
    `${JSON.stringify(stdout.slice(0, 300))}`;
  expect([0, 1, 2], context).toContain(code);
  expect(stderr, context).not.toMatch(CONTROL);
  expect(stderr, context).not.toMatch(/\n\s+at /); // a stack trace
  if (code === 2) {
    expect(stdout, context).toBe('');
    expect(stderr, context).toMatch(/^mapbloat: [^\n]*\n$/);
    return;
  }
  expect(stdout.length, context).toBeGreaterThan(0);
  const lines = stderr === '' ? [] : stderr.replace(/\n$/, '').split('\n');
  for (const line of lines) expect(line, context).toMatch(/^(note: |mapbloat: (wrote |threshold exceeded: ))/);
  if (code === 1) {
    expect(shape.command, context).toBe('diff');
    expect(
      lines.some((l) => l.startsWith('mapbloat: threshold exceeded: ')),
      context,
    ).toBe(true);
  }
  if (shape.format === 'json') {
    const parsed = JSON.parse(stdout) as { schema: string };
    expect(parsed.schema, context).toBe(`mapbloat/${shape.command}@1`);
  } else if (shape.format === 'html') {
    expect(stdout, context).toMatch(/^<!doctype html>/i);
  } else {
    expect(shape.color === true ? stdout.replace(SGR, '') : stdout, context).not.toMatch(CONTROL);
  }
}
