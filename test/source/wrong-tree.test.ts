import { describe, expect, it } from 'vitest';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { fixture, runCli } from '../helpers.js';

// Another program's source tree: its main.go matches the profile's by name (pprof's suffix rule),
// but none of the profile's lines in it touches a map. That tells nothing of the maps: they stay
// not visible, never "≥ 0 B", and a gate is refused rather than passed.
const LEAK0 = fixture('go1.24/leak_0.pb.gz');
const LEAK4 = fixture('go1.24/leak_4.pb.gz');
const OTHER = fixture('src/multi');

describe('a source tree without one of the profile map lines', () => {
  it('analyze: maps not visible, and the sources line says why', async () => {
    const { code, stdout } = await runCli(['analyze', LEAK4, '--source-path', OTHER], { env: { NO_COLOR: '1' } });
    expect(code).toBe(0);
    expect(stdout.split('\n').filter((l) => /^ {2}(maps|sources) /.test(l))).toEqual([
      '  maps      not visible: the runtime frames are hidden in this profile (see the note)',
      `  sources   10 of 108 profile lines found in 2 files under ${OTHER}, none of them a map line; not found: ` +
        'runtime/pprof/pprof.go, fmt/print.go, runtime/pprof/proto.go (+21 more); 98 lines of the standard library ' +
        'need $GOROOT/src on the path',
    ]);
    const json = JSON.parse((await runCli(['analyze', LEAK4, '--source-path', OTHER, '--json'])).stdout) as AnalyzeJson;
    expect([json.profile.mapVisibility, json.totals.map, json.source?.resolvedLines, json.source?.mapLines]).toEqual([
      'none',
      null,
      10,
      0,
    ]);
    expect(json.notes.map((n) => n.message).join(' ')).toContain(
      "The source tree has some of the profile's lines but none that touches a map: it may be another program's " +
        'source or another version of it',
    );
  });

  it('diff --max-growth: refused (exit 2), not passed on two zeros', async () => {
    expect(await runCli(['diff', LEAK0, LEAK4, '--source-path', OTHER, '--max-growth', '1MiB'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `mapbloat: --max-growth cannot be checked: ${LEAK0} is a stock profile whose runtime frames are hidden, so ` +
        "its map memory is not visible; the source tree given has none of its map lines (is it this program's?); " +
        `give the right one or the program's binary (--binary) (mapbloat analyze ${LEAK0} explains)\n`,
    });
  });
});
