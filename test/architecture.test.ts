import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

// The pipeline, lowest layer first: a module may import from its own folder and from lower
// layers only. Folders on one layer (binary, source) are independent of each other.
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts'],
  ['limits.ts'],
  ['go'],
  ['pprof'],
  ['binary', 'source'],
  ['stacks'],
  ['analysis'],
  ['report'],
  ['cli'],
];
// What only the CLI may touch: the file system, the network, processes (through its Io).
const CLI_ONLY = /^node:(fs|fs\/promises|http|https|net|child_process|readline|tty)$/;

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The top folder of a module under src/ ("errors.ts" for the files at the top). */
function unit(file: string): string {
  return relative(SRC, file).split('/')[0];
}

const layerOf = (u: string) => LAYERS.findIndex((l) => l.includes(u));

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm)].map(
    (m) => m[1] ?? m[2],
  );
}

/** "from → to" for every relative import that points to a higher layer or across one layer. */
function upwardArrows(edges: ReadonlyArray<readonly [string, string]>): string[] {
  const wrong: string[] = [];
  for (const [file, spec] of edges) {
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    const [from, to] = [unit(file), unit(target)];
    if (from !== to && layerOf(to) >= layerOf(from)) wrong.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
  }
  return wrong;
}

describe('the import graph', () => {
  const files = sourceFiles(SRC);

  it('knows every folder of src/', () => {
    expect(files.map(unit).filter((u) => layerOf(u) < 0)).toEqual([]);
  });

  it('has no arrow from a lower layer up, nor across folders of one layer', () => {
    expect(upwardArrows(files.flatMap((f) => imports(f).map((spec) => [f, spec] as const)))).toEqual([]);
  });

  it('leaves the file system, the network and processes to the CLI', () => {
    const wrong = files
      .filter((f) => unit(f) !== 'cli')
      .flatMap((f) =>
        imports(f)
          .filter((s) => CLI_ONLY.test(s))
          .map((s) => `${relative(ROOT, f)} imports ${s}`),
      );
    expect(wrong).toEqual([]);
  });

  it('catches an upward arrow and a sideways one', () => {
    expect(
      upwardArrows([
        [join(SRC, 'go/names.ts'), '../analysis/attribute.js'],
        [join(SRC, 'binary/elf.ts'), '../source/lexer.js'],
        [join(SRC, 'report/json.ts'), '../analysis/snapshot.js'],
        [join(SRC, 'report/json.ts'), './schema.js'],
      ]),
    ).toEqual(['src/go/names.ts → src/analysis/attribute.ts', 'src/binary/elf.ts → src/source/lexer.ts']);
  });
});
