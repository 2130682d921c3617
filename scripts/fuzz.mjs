// `npm run fuzz [-- <vitest args>]`: the property-based suite of test/fuzz alone, with many more
// cases than `npm test` runs (FUZZ_RUNS, default 20x each property's own number) and a seed from
// the clock unless FUZZ_SEED is given. The seed is printed first; a failure prints the command that
// replays it. Arguments go to vitest: a file to run one reader, `-t <name>` one property.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seed = process.env.FUZZ_SEED?.trim() || String((Date.now() % 2 ** 31) | 0);
const runs = process.env.FUZZ_RUNS?.trim() || '20x';
const path = process.env.FUZZ_PATH?.trim();
console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}${path ? ` FUZZ_PATH=${path}` : ''}`);

const args = process.argv.slice(2);
// Only test/fuzz, unless a file of it was named.
const files = args.some((a) => a.includes('.fuzz.test.')) ? [] : ['test/fuzz/'];
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', ...files, ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
child.on('exit', (code, signal) => {
  console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}: ${code === 0 ? 'passed' : 'FAILED'}`);
  process.exit(code ?? (signal === null ? 1 : 128));
});
