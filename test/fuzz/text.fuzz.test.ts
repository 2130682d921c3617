import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe } from 'vitest';
import { attributeMaps } from '../../src/analysis/attribute.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { MapbloatError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { decodeInput } from '../../src/pprof/input.js';
import { recoverStacks } from '../../src/stacks/recover.js';
import { FIXTURES, runCli } from '../helpers.js';
import { property, returnsOrRefuses } from './budget.js';
import { expectCliContract } from './cli-contract.js';
import { mutate, mutations, repeated } from './mutate.js';
import { checkProfile, checkText, raw } from './profiles.js';

// The legacy text heap profile (src/pprof/text.ts) and what reads it on (src/stacks/text-profile.ts,
// with and without the binary): any bytes give a profile or a MapbloatError, in time linear in the
// input whatever its lines hold; end to end, exit 0 or one line.

const TEXTS = ['go1.19/grow_sampled.heap.txt', 'go1.24/grow_sampled.heap.txt', 'go1.19/leak_4.heap.txt'].map((path) =>
  raw(path),
);

/** With the binary that wrote it: its `@` PCs symbolized, its `#` lines checked against the binary. */
const WITH_BINARY = [
  { text: 'go1.19/multi.heap.txt', binary: 'go1.19/bin/multi.gz' },
  { text: 'pie/out/pie/pie.heap.txt', binary: 'pie/bin/pie-pie.gz' },
  { text: 'pie/out/arm64-pie/pie.heap.txt', binary: 'pie/bin/pie-arm64-pie.gz' },
].map(({ text, binary }) => ({
  lines: readFileSync(`${FIXTURES}/${text}`, 'utf8').split('\n'),
  symbolizer: symbolizerFor(gunzipSync(readFileSync(`${FIXTURES}/${binary}`)), DEFAULT_LIMITS),
}));

type Symbolizer = (typeof WITH_BINARY)[number]['symbolizer'];

/** Decode, recover the stacks (with the binary if given) and attribute: each step returns or refuses. */
function readsOrRefuses(bytes: Uint8Array, symbolizer: Symbolizer | null): void {
  const decoded = returnsOrRefuses(() => decodeInput(bytes));
  if (decoded instanceof MapbloatError) return;
  if (decoded.kind === 'text') checkText(decoded.text);
  const recovered = returnsOrRefuses(() => recoverStacks(decoded, { symbolizer, sourceTree: null }));
  if (recovered instanceof MapbloatError) return;
  checkProfile(recovered.profile);
  returnsOrRefuses(() => attributeMaps(recovered, { granularity: 'line', owner: 'app' }));
}

// --- lines as the text reader sees them --------------------------------------------------------------

const digits = fc.oneof(
  fc.nat({ max: 100_000 }).map(String),
  fc.constantFrom(
    '0',
    '1',
    '9007199254740993',
    '9223372036854775807',
    '9223372036854775808',
    '18446744073709551616',
    '99999999999999999999',
  ),
  fc.stringMatching(/^[0-9]{1,25}$/),
);
const hex = fc.oneof(
  fc.nat().map((n) => n.toString(16)),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => n.toString(16)),
  fc.stringMatching(/^[0-9a-f]{0,20}$/),
);
const funcName = fc.oneof(
  fc.constantFrom('main.main', 'main.(*T).put', 'runtime.mapassign_faststr', 'main.Index[...]', 'main.a+b', 'x'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const fileName = fc.oneof(
  fc.constantFrom('main.go', '/src/runtime/map.go', 'a:b.go', ''),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
);
const tabs = fc.constantFrom('\t', '\t\t', '\t\t\t', ' ');
const frameLine = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(hex, funcName, hex, fileName, digits, tabs)
      .map(([pc, fn, off, file, line, t]) => `#${t}0x${pc}${t}${fn}+0x${off}${t}${file}:${line}`),
  },
  { weight: 1, arbitrary: hex.map((pc) => `#\t0x${pc}`) },
  {
    weight: 1,
    arbitrary: repeated(['#', '\t', '+0x1', 'a+0x1\t', '0x', ':', '1', ' ', '+'], 20_000).map((s) => `#${s}`),
  },
);
const recordLine = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.array(digits, { minLength: 4, maxLength: 4 }), fc.array(hex, { maxLength: 12 }))
      .map(([[a, b, c, d], pcs]) => `${a}: ${b} [${c}: ${d}] @${pcs.map((p) => ` 0x${p}`).join('')}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(digits, fc.nat({ max: 70_000 }))
      .map(([n, k]) => `${n}: ${n} [${n}: ${n}] @${' 0x4ba916'.repeat(k)}`),
  },
  { weight: 1, arbitrary: repeated(['1: ', '[', ']', ' @', ' 0x1', '0x', ':', ' '], 20_000) },
);
const memStatLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('LastGC', 'Alloc', 'HeapInuse', 'HeapAlloc', 'NumGC', 'Sys', 'GCCPUFraction'),
      fc.oneof(
        digits,
        digits.map((d) => `-${d}`),
        fc.tuple(digits, digits).map(([a, b]) => `${a}.${b}`),
        fc.constantFrom('1e400', 'NaN', ''),
      ),
    )
    .map(([k, v]) => `# ${k} = ${v}`),
  fc.constantFrom('# PauseNs = [1 2 3]', '# Stack = 1 / 2', '# DebugGC = false'),
  repeated(['# ', 'a', ' = ', '1', '.', '-'], 5000),
);

interface GeneratedText {
  header: string[] | null;
  records: Array<{ record: string; frames: string[] }>;
  memStats: string[] | null;
  agree: boolean;
  end: '\n' | '';
}

const generatedText: fc.Arbitrary<GeneratedText> = fc.record({
  header: fc.option(fc.array(digits, { minLength: 5, maxLength: 5 })),
  records: fc.array(fc.record({ record: recordLine, frames: fc.array(frameLine, { maxLength: 4 }) }), { maxLength: 5 }),
  memStats: fc.option(fc.array(memStatLine, { maxLength: 6 })),
  agree: fc.boolean(),
  end: fc.constantFrom('\n' as const, '\n' as const, '' as const),
});

/** The text: a header whose totals are the records' sums when `agree`, so that the reader goes on past it. */
function render(g: GeneratedText): string {
  const sums = [0n, 0n, 0n, 0n];
  for (const { record } of g.records) {
    const m = /^(\d+): (\d+) \[(\d+): (\d+)\]/.exec(record);
    if (m !== null) [1, 2, 3, 4].forEach((k, i) => (sums[i] += BigInt(m[k])));
  }
  const h = g.header ?? ['1', '2', '3', '4', '2'];
  const [a, b, c, d] = g.agree ? sums.map(String) : h;
  const lines = [`heap profile: ${a}: ${b} [${c}: ${d}] @ heap/${h[4]}`];
  for (const r of g.records) lines.push(r.record, ...r.frames, '');
  if (g.memStats !== null) lines.push('# runtime.MemStats', ...g.memStats);
  return lines.join('\n') + g.end;
}

type LineEdit =
  | { op: 'delete' | 'duplicate' | 'swap' | 'blank'; at: number }
  | { op: 'replace' | 'insert'; at: number; line: string }
  | { op: 'number'; at: number; which: number; value: string }
  | { op: 'cut'; at: number; keepNewline: boolean };

const lineEdit: fc.Arbitrary<LineEdit> = fc.oneof(
  fc.record({
    op: fc.constantFrom('delete' as const, 'duplicate' as const, 'swap' as const, 'blank' as const),
    at: fc.nat(),
  }),
  fc.record({
    op: fc.constantFrom('replace' as const, 'insert' as const),
    at: fc.nat(),
    line: fc.oneof(frameLine, recordLine, memStatLine),
  }),
  fc.record({ op: fc.constant('number' as const), at: fc.nat(), which: fc.nat(20), value: fc.oneof(digits, hex) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat(), keepNewline: fc.boolean() }),
);

function editLines(original: readonly string[], edits: readonly LineEdit[]): string {
  let lines = original.slice();
  let ending = '';
  for (const e of edits) {
    const at = e.at % Math.max(1, lines.length);
    switch (e.op) {
      case 'delete':
        lines.splice(at, 1);
        break;
      case 'duplicate':
        lines.splice(at, 0, lines[at] ?? '');
        break;
      case 'swap':
        if (at + 1 < lines.length) [lines[at], lines[at + 1]] = [lines[at + 1], lines[at]];
        break;
      case 'blank':
        lines.splice(at, 0, '');
        break;
      case 'replace':
        lines[at] = e.line;
        break;
      case 'insert':
        lines.splice(at, 0, e.line);
        break;
      case 'number': {
        // The which-th number (decimal or 0x…) of the line, replaced.
        let k = 0;
        lines[at] = (lines[at] ?? '').replace(/0x[0-9a-f]+|\d+/g, (m) =>
          k++ === e.which ? (m.startsWith('0x') ? `0x${e.value}` : e.value) : m,
        );
        break;
      }
      case 'cut':
        lines = lines.slice(0, at);
        ending = e.keepNewline ? '\n' : '';
        break;
    }
  }
  return lines.join('\n') + ending;
}

describe('text heap profiles', () => {
  property(
    'mutated real text profiles read or are refused',
    { runs: 250, file: import.meta.url },
    fc.record({ text: fc.nat(TEXTS.length - 1), ops: mutations(6) }),
    ({ text, ops }) => readsOrRefuses(mutate(TEXTS[text], ops), null),
  );

  property(
    'edited lines of a real profile, read with the binary that wrote it',
    { runs: 150, file: import.meta.url },
    fc.record({ which: fc.nat(WITH_BINARY.length - 1), edits: fc.array(lineEdit, { minLength: 1, maxLength: 4 }) }),
    ({ which, edits }) => {
      const { lines, symbolizer } = WITH_BINARY[which];
      readsOrRefuses(Buffer.from(editLines(lines, edits)), symbolizer);
    },
  );

  property(
    'generated headers, records, frame lines and MemStats of any length, end to end',
    { runs: 250, file: import.meta.url },
    fc.record({ text: generatedText, format: fc.constantFrom('table' as const, 'json' as const, 'markdown' as const) }),
    async ({ text, format }) => {
      const bytes = Buffer.from(render(text));
      readsOrRefuses(bytes, null);
      const result = await runCli(['analyze', '-', '--format', format], { stdin: bytes, env: { NO_COLOR: '1' } });
      expectCliContract(result, { format, command: 'analyze' });
    },
  );
});
