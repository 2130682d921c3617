// npm run bench: mapbloat on the big profiles against the floor of reading them.
//
//   floor        gunzip (node:zlib) + one varint pass over the whole message (bench/floor.mjs)
//   analyze      mapbloat analyze <big> --json > /dev/null, stock and full-frame
//   diff         mapbloat diff over five copies of the full-frame one
//   scaling      analyze on synthetic profiles of 1×, 2× and 4× the samples (bench/scale.mjs)
//   series       diff of 25 and 100 snapshots: go1.24's leak_0..4 repeated, protobuf and text --binary
//
// Each case runs BENCH_RUNS times (default 5); the median wall time and the peak RSS of the
// process are reported. Targets (issue 6): analyze full-frame ≤ 3× floor and ≤ 300 MB peak RSS;
// diff of five ≤ 5× one analyze; time per sample flat from 1× to 4×; a diff of 100 protobuf
// snapshots in ≤ 1.5× the peak RSS of one analyze of the largest; time per text snapshot flat
// from 25 to 100. Exit 1 when one is missed.
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
console.log(
  `mapbloat bench · node ${process.version} · ${cpus().length} CPUs · ${runs} runs per case, median wall ` +
    `time, largest peak RSS\n`,
);

for (const [label, file] of [
  ['full-frame big.full.pb.gz', FULL],
  ['stock big.pb.gz', STOCK],
]) {
  const floor = measure([join(root, 'bench/floor.mjs'), file]);
  const analyze = measure([bin, 'analyze', file, '--json']);
  const ratio = analyze.wall / floor.wall;
  row(`floor ${label}`, floor, '1.00×');
  if (file === FULL) {
    row(
      `analyze ${label}`,
      analyze,
      `${ratio.toFixed(2)}×`,
      check(ratio <= 3 && analyze.rss <= 300 * 1024 * 1024, '≤ 3× floor, ≤ 300 MB'),
    );
    const copies = [1, 2, 3, 4, 5].map((i) => join(work, `big.full.${i}.pb.gz`));
    for (const c of copies) copyFileSync(FULL, c);
    const diff = measure([bin, 'diff', ...copies, '--json']);
    const perAnalyze = diff.wall / analyze.wall;
    row(
      'diff of five big.full copies',
      diff,
      `${perAnalyze.toFixed(2)}× analyze`,
      check(perAnalyze <= 5, '≤ 5× one analyze'),
    );
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
  row(
    `analyze synthetic ${times}× (${(786_570 * times).toLocaleString('en-US')} samples)`,
    m,
    `${(m.wall / base).toFixed(2)}× the 1×`,
    `time per sample ${perSample.toFixed(2)}`,
  );
}
const growth = scaled[2][1].wall / base;
rows.push([
  '',
  '',
  '',
  '',
  check(growth <= 4 * 1.25, `linear: 4× the samples in ${growth.toFixed(2)}× the time (≤ 5.00)`),
]);

// A series: a diff (and a watch) keeps each snapshot's attribution, never its decoded profile.
// go1.24's leak_0..4 repeated to 100 snapshots, in the two forms a watch fetches: the protobuf
// (full-frame here, so that there are maps to attribute) and the text profile with --binary.
// Time per snapshot is counted past the process start-up, which one analyze of leak_0 stands for.
function series(form, suffix, args) {
  const file = (i) => join(root, `fixtures/go1.24/leak_${i}${suffix}`);
  const dir = join(work, `series${suffix}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const copies = Array.from({ length: 100 }, (_, k) => {
    const copy = join(dir, `leak.${String(k).padStart(3, '0')}${suffix}`);
    copyFileSync(file(k % 5), copy);
    return copy;
  });
  const start = measure([bin, 'analyze', file(0), ...args, '--json']);
  const largest = measure([bin, 'analyze', file(4), ...args, '--json']);
  row(`analyze leak_4${suffix}${args.length > 0 ? ' --binary' : ''}`, largest, '1.00×');
  const result = {};
  for (const n of [25, 100]) {
    const m = measure([bin, 'diff', ...copies.slice(0, n), ...args, '--json']);
    result[n] = { per: (m.wall - start.wall) / (n - 1), rss: m.rss / largest.rss };
    const note = n === 100 ? `peak RSS ${result[n].rss.toFixed(2)}× one analyze` : '';
    row(`diff of ${n} ${form} snapshots`, m, `${(result[n].per * 1000).toFixed(1)} ms per snapshot`, note);
  }
  return { rss: result[100].rss, perGrowth: result[100].per / result[25].per };
}
const protobuf = series('protobuf', '.full.pb.gz', []);
const text = series('text', '.heap.txt', ['--binary', join(root, 'fixtures/go1.24/bin/leak.gz')]);
const rssVerdict = `protobuf: 100 snapshots in ${protobuf.rss.toFixed(2)}× the peak RSS of one analyze (≤ 1.50×)`;
rows.push(['', '', '', '', check(protobuf.rss <= 1.5, rssVerdict)]);
// A few milliseconds per protobuf snapshot drown in the noise of the start-up; a text snapshot
// costs tens, so its series is where growth with the count would show.
const perVerdict = `linear: time per text snapshot at 100 ${text.perGrowth.toFixed(2)}× that at 25 (≤ 1.25)`;
rows.push(['', '', '', '', check(text.perGrowth <= 1.25, perVerdict)]);

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows)
  console.log(
    r
      .map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('   ')
      .trimEnd(),
  );
console.log(misses.length === 0 ? '\nall targets met' : `\ntargets missed: ${misses.join('; ')}`);
process.exitCode = misses.length === 0 ? 0 : 1;
