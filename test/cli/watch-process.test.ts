import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { LEAK, startProfileServer } from '../profile-server.js';

// The real wiring of watch: SIGINT, the clock, atomic writes to a real directory. The only tests
// that write to disk, in a temporary directory removed afterwards.
const BINARY = join(ROOT, 'fixtures/go1.24/bin/leak.gz');
const dir = mkdtempSync(join(tmpdir(), 'mapbloat-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, NO_COLOR: '1' };

describe('bin/mapbloat.js watch', () => {
  // SIGTERM is how CI runners and container runtimes cancel a job: the same as Ctrl-C.
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s while waiting: the report on what it has, complete files, exit 0',
    async (signal) => {
      const server = await startProfileServer();
      const out = join(dir, `snaps-${signal}`);
      const child = spawn(
        process.execPath,
        [join(ROOT, 'bin/mapbloat.js'), 'watch', server.hostPort, '--every', '2s', '--binary', BINARY, '--out', out],
        {
          cwd: ROOT,
          env,
        },
      );
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // The second snapshot is in: the watch now waits two seconds for the third. Once: a
        // second Ctrl-C ends the process at once.
        if (!interrupted && /^snapshot 2 /m.test(stderr)) interrupted = child.kill(signal);
      });
      const code = await new Promise((resolve) => child.on('exit', resolve));
      await server.close();

      const files = readdirSync(out).sort();
      expect(files).toHaveLength(2);
      expect(files.every((f) => /^heap-\d{8}T\d{6}\.\d{3}Z\.txt$/.test(f))).toBe(true);
      files.forEach((f, i) => expect(readFileSync(join(out, f)).equals(readFileSync(LEAK(i, true)))).toBe(true));
      expect(code).toBe(0);
      expect(stderr.split('\n').slice(2)).toEqual(['interrupted: reporting on 2 snapshots', '']);
      expect(stdout).toMatch(/^mapbloat diff: 2 snapshots, by profile time\n/);
      // Saved as fetched: the same report later, from the files.
      const later = spawnSync(
        process.execPath,
        [join(ROOT, 'bin/mapbloat.js'), 'diff', ...files.map((f) => join(out, f)), '--binary', BINARY],
        {
          cwd: ROOT,
          env,
          encoding: 'utf8',
        },
      );
      expect([later.status, later.stdout]).toEqual([0, stdout]);
    },
  );

  it('--out that cannot be created: one line, exit 2, before any fetch', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/mapbloat.js'), 'watch', '127.0.0.1:9', '--out', join(file, 'snaps')],
      { env, encoding: 'utf8' },
    );
    expect([r.status, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `mapbloat: ${join(file, 'snaps')}: cannot create the directory (ENOTDIR)\n`,
    ]);
  });
});
