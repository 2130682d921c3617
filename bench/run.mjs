// npm run bench: mapbloat on the big profiles against the floor of reading them.
//
//   floor        gunzip (node:zlib) + one varint pass over the whole message (bench/floor.mjs)
//   analyze      mapbloat analyze <big> --json > /dev/null, stock and full-frame
//   diff         mapbloat diff over five copies of the full-frame one
//   scaling      analyze on synthetic profiles of 1×, 2× and 4× the samples (bench/scale.mjs)
//
// Each case runs BENCH_RUNS times (default 5); the median wall time and the peak RSS of the
// process are reported. Targets (issue 6): analyze full-frame ≤ 3× floor and ≤ 300 MB peak RSS;
// diff of five ≤ 5× one analyze; time per sample flat from 1× to 4×. Exit 1 when one is missed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaleProfile } from './scale.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.bench');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const FULL = join(root, 'fixtures/go1.24/big.full.pb.gz');
const STOCK = join(root, 'fixtures/go1.24/big.pb.gz');
const bin = join(root, 'bin/mapbloat.js');
const probe = join(root, 'bench/rss-probe.mjs');
mkdirSync(work, { recursive: true });

/** Runs node with args `runs` times: median wall seconds, largest peak RSS in bytes. */
function measure(args) {
  const walls = [];
  let rss = 0;
  const rssFile = join(work, 'rss');
  for (let i = 0; i < runs; i++) {
    rmSync(rssFile, { force: true });
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--import', probe, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MAPBLOAT_BENCH_RSS: rssFile, NO_COLOR: '1' },
    });
    walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    rss = Math.max(rss, Number(readFileSync(rssFile, 'utf8')));
  }
  walls.sort((a, b) => a - b);
  return { wall: walls[Math.floor(walls.length / 2)], rss };
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (sec) => `${sec.toFixed(2)} s`;
const rows = [];
const misses = [];
function row(name, m, ratio = '', verdict = '') {
  rows.push([name, s(m.wall), mb(m.rss), ratio, verdict]);
}
function check(ok, what) {
  if (!ok) misses.push(what);
  return ok ? `ok: ${what}` : `MISSED: ${what}`;
}

if (!existsSync(join(root, 'dist/cli/run.js'))) throw new Error('dist/ is missing: npm run build first');
console.log(`mapbloat bench · node ${process.version} · ${cpus().length} CPUs · ${runs} runs per case, median wall time, largest peak RSS\n`);

for (const [label, file] of [
  ['full-frame big.full.pb.gz', FULL],
  ['stock big.pb.gz', STOCK],
]) {
  const floor = measure([join(root, 'bench/floor.mjs'), file]);
  const analyze = measure([bin, 'analyze', file, '--json']);
  const ratio = analyze.wall / floor.wall;
  row(`floor ${label}`, floor, '1.00×');
  if (file === FULL) {
    row(`analyze ${label}`, analyze, `${ratio.toFixed(2)}×`, check(ratio <= 3 && analyze.rss <= 300 * 1024 * 1024, '≤ 3× floor, ≤ 300 MB'));
    const copies = [1, 2, 3, 4, 5].map((i) => join(work, `big.full.${i}.pb.gz`));
    for (const c of copies) copyFileSync(FULL, c);
    const diff = measure([bin, 'diff', ...copies, '--json']);
    const perAnalyze = diff.wall / analyze.wall;
    row('diff of five big.full copies', diff, `${perAnalyze.toFixed(2)}× analyze`, check(perAnalyze <= 5, '≤ 5× one analyze'));
  } else {
    row(`analyze ${label}`, analyze, `${ratio.toFixed(2)}×`);
  }
}

// Scaling: 1×, 2×, 4× the samples of the full-frame profile; generated once, kept in .bench/.
const scaled = [];
for (const times of [1, 2, 4]) {
  const file = join(work, `big.full.x${times}.pb.gz`);
  const stamp = `${statSync(FULL).size}:${times}`;
  if (!existsSync(file) || !existsSync(`${file}.stamp`) || readFileSync(`${file}.stamp`, 'utf8') !== stamp) {
    process.stderr.write(`generating ${times}× profile…\n`);
    writeFileSync(file, times === 1 ? readFileSync(FULL) : scaleProfile(readFileSync(FULL), times));
    writeFileSync(`${file}.stamp`, stamp);
  }
  scaled.push([times, measure([bin, 'analyze', file, '--json'])]);
}
const base = scaled[0][1].wall;
for (const [times, m] of scaled) {
  const perSample = m.wall / times / base;
  row(`analyze synthetic ${times}× (${(786_570 * times).toLocaleString('en-US')} samples)`, m, `${(m.wall / base).toFixed(2)}× the 1×`, `time per sample ${perSample.toFixed(2)}`);
}
const growth = scaled[2][1].wall / base;
rows.push(['', '', '', '', check(growth <= 4 * 1.25, `linear: 4× the samples in ${growth.toFixed(2)}× the time (≤ 5.00)`)]);

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ').trimEnd());
console.log(misses.length === 0 ? '\nall targets met' : `\ntargets missed: ${misses.join('; ')}`);
process.exitCode = misses.length === 0 ? 0 : 1;
