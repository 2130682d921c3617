import { writeSync } from 'node:fs';
import { relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { MapbloatError } from '../../src/errors.js';
import { ROOT } from '../helpers.js';

/**
 * How much the property-based suite runs, from the environment:
 *
 * - FUZZ_RUNS: "20x" multiplies every property's own number of cases, "5000" runs that many of
 *   each; unset, each runs its default (a few thousand in all, for `npm test`).
 * - FUZZ_SEED: the seed of every property (fast-check's 32-bit seed); unset, 20261123, so that
 *   `npm test` runs the same cases every time. `npm run fuzz` sets one from the clock.
 * - FUZZ_PATH: with FUZZ_SEED, replays exactly the case a failure printed (fast-check's
 *   counterexample path); give it with `-t <property>`, as the failure message says.
 * - FUZZ_HANG_SECONDS: how long one case may take before the watchdog ends the run (default 60);
 *   one that takes a sixth of that is named on stderr, with its replay command, and goes on.
 * - FUZZ_PRINT=1: print each case's value to stderr before running it (to see what a hang was).
 *
 * A failure prints the command that replays it. A case that never returns (an endless loop
 * cannot be interrupted from its own thread, not even by vitest's timeout) is caught by a
 * watchdog thread, which prints the property, seed and case index, then kills the process.
 */
export interface FuzzConfig {
  readonly multiplier: number | null;
  readonly absolute: number | null;
  readonly seed: number;
  readonly path: string | undefined;
  readonly hangSeconds: number;
  readonly print: boolean;
}

export function fuzzConfig(env: NodeJS.ProcessEnv = process.env): FuzzConfig {
  const runs = env.FUZZ_RUNS?.trim() ?? '';
  let multiplier: number | null = null;
  let absolute: number | null = null;
  if (/^\d+(\.\d+)?x$/i.test(runs)) multiplier = Number(runs.slice(0, -1));
  else if (/^\d+$/.test(runs)) absolute = Number(runs);
  else if (runs !== '')
    throw new Error(`FUZZ_RUNS must be a multiplier like "20x" or a count like "5000", not ${JSON.stringify(runs)}`);
  const seedText = env.FUZZ_SEED?.trim() ?? '';
  if (seedText !== '' && !/^-?\d+$/.test(seedText))
    throw new Error(`FUZZ_SEED must be an integer, not ${JSON.stringify(seedText)}`);
  const hang = Number(env.FUZZ_HANG_SECONDS ?? 60);
  return {
    multiplier,
    absolute,
    seed: seedText === '' ? DEFAULT_SEED : Number(seedText) | 0,
    path: env.FUZZ_PATH?.trim() || undefined,
    hangSeconds: Number.isFinite(hang) && hang > 0 ? hang : 60,
    print: env.FUZZ_PRINT === '1',
  };
}

const DEFAULT_SEED = 20261123;
export const CONFIG = fuzzConfig();

/** The number of cases of a property whose default is `base`. */
export function runsFor(base: number, config: FuzzConfig = CONFIG): number {
  if (config.absolute !== null) return config.absolute;
  return Math.max(1, Math.round(base * (config.multiplier ?? 1)));
}

// Vitest's own timeout per property: the suite's 30 s, times how many more cases run than by default.
const BASE_TIMEOUT_MS = 30_000;

export interface PropertyOptions {
  /** Cases in `npm test`. */
  readonly runs: number;
  /** The test file, for the replay command: pass import.meta.url. */
  readonly file: string;
}

/**
 * One property as one vitest test: `predicate` holds for every value of `arbitrary`, `runs`
 * times (scaled by FUZZ_RUNS), seeded by FUZZ_SEED. The predicate throws (an expect) to fail.
 */
export function property<T>(
  name: string,
  options: PropertyOptions,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => void | Promise<void>,
): void {
  const numRuns = runsFor(options.runs);
  const scale = numRuns / options.runs;
  it(
    name,
    async () => {
      const file = relative(ROOT, new URL(options.file).pathname);
      const watch = watchdog(name, file);
      let index = 0;
      let failed = false;
      let lastTurn = Date.now();
      const details = await fc.check(
        fc.asyncProperty(arbitrary, async (value) => {
          // A turn of the event loop now and then: vitest's worker answers its runner between cases,
          // which a property of synchronous cases would starve for minutes ("Timeout calling onTaskUpdate").
          if (Date.now() - lastTurn > 1000) {
            await new Promise((resolve) => setImmediate(resolve));
            lastTurn = Date.now();
          }
          if (CONFIG.print) writeSync(2, `fuzz: ${name}: case ${index}: ${fc.stringify(value).slice(0, 20_000)}\n`);
          watch.begin(index++, failed);
          try {
            await predicate(value);
          } catch (err) {
            failed = true;
            throw err;
          } finally {
            watch.end();
          }
        }),
        { numRuns, seed: CONFIG.seed, path: CONFIG.path, endOnFailure: CONFIG.path !== undefined },
      );
      if (details.failed) {
        const report = (await fc.asyncDefaultReportMessage(details)) ?? 'the property failed';
        const replay = replayCommand(details.seed, details.counterexamplePath ?? undefined, file, name);
        const error = new Error(`${report}\n\nReplay this case (seed ${details.seed}):\n  ${replay}\n`, {
          cause: details.errorInstance,
        });
        throw error;
      }
    },
    Math.max(BASE_TIMEOUT_MS, BASE_TIMEOUT_MS * scale),
  );
}

function replayCommand(seed: number, path: string | undefined, file: string, name: string): string {
  const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const pattern = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const env = `FUZZ_SEED=${seed}${path === undefined ? '' : ` FUZZ_PATH=${shellQuote(path)}`}`;
  return `${env} npm run fuzz -- ${file} -t ${shellQuote(pattern)}`;
}

/**
 * The contract of every reader: it returns, or throws a MapbloatError (what the CLI prints as one
 * line). Anything else (RangeError, TypeError, a plain Error) is a bug and fails the property.
 */
export function returnsOrRefuses<T>(read: () => T): T | MapbloatError {
  try {
    return read();
  } catch (err) {
    if (err instanceof MapbloatError) {
      // A message is one line of text a terminal can show as it is.
      expect(err.message).not.toMatch(/[\n\r]/);
      return err;
    }
    throw err;
  }
}

// --- the watchdog -------------------------------------------------------------------------------

interface Watch {
  /** Case `index` starts; `shrinking` once a case failed (the index is then no path). */
  begin(index: number, shrinking: boolean): void;
  end(): void;
}

const INFO_BYTES = 4096;
const INFO_AT = 32;
let shared: { state: Int32Array; info: Uint8Array } | null = null;

/**
 * A thread that wakes every second and kills the process when one case has run longer than
 * FUZZ_HANG_SECONDS, after printing which case it was: the only way out of a synchronous endless
 * loop. The case is told by its index, which replays it as FUZZ_PATH (fast-check's path of an
 * unshrunk case is its index).
 */
function watchdog(name: string, file: string): Watch {
  if (shared === null) {
    const buffer = new SharedArrayBuffer(INFO_AT + INFO_BYTES);
    shared = { state: new Int32Array(buffer, 0, 5), info: new Uint8Array(buffer, INFO_AT, INFO_BYTES) };
    const worker = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { buffer, limitMs: CONFIG.hangSeconds * 1000 },
    });
    worker.unref();
  }
  const { state, info } = shared;
  const header = Buffer.from(
    JSON.stringify({
      name,
      file,
      seed: CONFIG.seed,
      path: CONFIG.path ?? null,
      replay: replayCommand(CONFIG.seed, '@', file, name),
    }),
  ).subarray(0, INFO_BYTES);
  info.set(header);
  Atomics.store(state, 2, header.length);
  return {
    begin(index, shrinking) {
      // The first case that failed is the one to replay: its index stays while it shrinks.
      if (!shrinking) Atomics.store(state, 0, index);
      Atomics.store(state, 4, shrinking ? 1 : 0);
      Atomics.add(state, 3, 1);
      Atomics.store(state, 1, 1);
    },
    end() {
      Atomics.store(state, 1, 0);
    },
  };
}

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const state = new Int32Array(workerData.buffer, 0, 5);
const info = new Uint8Array(workerData.buffer, ${INFO_AT}, ${INFO_BYTES});
let seen = -1;
let noted = -1;
let since = Date.now();
setInterval(() => {
  const started = Atomics.load(state, 3);
  if (Atomics.load(state, 1) === 0 || started !== seen) {
    seen = started;
    since = Date.now();
    return;
  }
  const elapsed = Date.now() - since;
  const hang = elapsed >= workerData.limitMs;
  if (!hang && (elapsed < workerData.limitMs / 6 || noted === started)) return;
  noted = started;
  const what = JSON.parse(Buffer.from(info.slice(0, Atomics.load(state, 2))).toString());
  const index = Atomics.load(state, 0);
  const path = what.path !== null ? what.path : String(index);
  const shrinking = Atomics.load(state, 4) === 1;
  const which =
    what.path !== null ? 'case ' + what.path : shrinking ? 'shrinking the failure of case ' + index : 'case ' + index;
  writeSync(2, '\\nfuzz: ' + which + ' of "' + what.name + '" (' + what.file + ') has run for ' +
    Math.round(elapsed / 1000) + ' s' + (hang ? ' without returning: a hang' : ', slower than any case should') +
    '. Replay it:\\n  ' + what.replay.replace("'@'", "'" + path + "'") + '\\n');
  if (hang) process.kill(process.pid, 'SIGKILL');
}, 1000);
`;
