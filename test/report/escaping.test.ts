import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';
import { synthProfile } from '../synth.js';

// Names come from the profile, and a profile can be crafted: nothing in them may drive the
// terminal or add markup to a pull-request comment.
const HEAP: ReadonlyArray<readonly [string, string]> = [
  ['alloc_objects', 'count'],
  ['alloc_space', 'bytes'],
  ['inuse_objects', 'count'],
  ['inuse_space', 'bytes'],
];
const HOSTILE = [
  'main.a\n### ✅ mapbloat: no map growth, safe to merge\n![x](https://evil.example/p.png)',
  'main.b\u001b[2J\u001b[31m|`<img src=x onerror=alert(1)>`|',
  'main.<script>alert(1)</script>',
  'main.c`x|y',
];
const files = {
  '/mem/hostile.pb': synthProfile(
    HEAP,
    HOSTILE.map((fn, i) => ({
      stack: [
        ['runtime.mapassign_faststr', 1],
        [fn, 10 + i],
      ] as Array<[string, number]>,
      values: [1, 100 + i, 1, 100 + i],
    })),
  ),
};

describe('hostile names', () => {
  it('the terminal table gets no control characters, the names shown escaped', async () => {
    const { code, stdout } = await runCli(['analyze', '/mem/hostile.pb'], { files, env: { NO_COLOR: '1' } });
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    // Go prints a name's brackets as generic arguments: "[...]".
    expect(stdout).toContain(
      'main.a\\x0a### ✅ mapbloat: no map growth, safe to merge\\x0a![...](https://evil.example/p.png)',
    );
    expect(stdout).toContain('main.b\\x1b[...]');
    // One line per site: a newline in a name breaks no row.
    expect(stdout.split('\n').filter((l) => /^\s+\d+\s+main\./.test(l))).toHaveLength(4);
  });

  it('markdown: no heading, image, tag or extra table cell comes from a name', async () => {
    const { stdout } = await runCli(['analyze', '/mem/hostile.pb', '--format', 'markdown'], { files });
    const lines = stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('#'))).toEqual(['### mapbloat: map memory in `/mem/hostile.pb`']);
    // Inside code spans HTML is text; outside them no tag and no image may appear.
    const outsideCode = withoutCodeSpans(stdout);
    expect(outsideCode).not.toMatch(/<(img|script)|!\[/);
    // Every table row has the header's number of cells: unescaped pipes would add some.
    const rows = lines.filter((l) => l.startsWith('|'));
    const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    expect(new Set(rows.map(cells)).size).toBe(1);
    expect(rows).toHaveLength(2 + 4);
    expect(stdout).toContain('`main.b\\x1b[...]`');
    expect(stdout).toContain('`main.<script>alert(1)</script>`');
    // A backtick in a name: a longer fence keeps the span whole.
    expect(stdout).toContain('``main.c`x\\|y``');
  });

  it('JSON keeps the names exactly', async () => {
    const { stdout } = await runCli(['analyze', '/mem/hostile.pb', '--json'], { files });
    expect((JSON.parse(stdout) as { sites: Array<{ function: string }> }).sites.map((s) => s.function).sort()).toEqual(
      [...HOSTILE].sort(),
    );
  });
});

/** Markdown text with its code spans removed (CommonMark: a run of n backticks to the next run of exactly n). */
function withoutCodeSpans(text: string): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    const run = /^`+/.exec(text.slice(i))?.[0];
    if (run === undefined) {
      out += text[i++];
      continue;
    }
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
    close.lastIndex = i + run.length;
    const end = close.exec(text);
    if (end === null) {
      out += run;
      i += run.length;
    } else {
      i = end.index + run.length;
    }
  }
  return out;
}
