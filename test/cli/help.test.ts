import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers.js';

// The README shows the help text verbatim; options are defined once (src/cli/options.ts).
describe('help', () => {
  it.each([['analyze'], ['diff'], ['watch']])('the README shows `mapbloat %s --help` as it is', async (command) => {
    const { code, stdout } = await runCli([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: mapbloat /);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`$ mapbloat ${command} --help\n${stdout}`);
  });

  // Every "$ NO_COLOR=1 mapbloat …" block of the README (with any other variables before it, as
  // COLUMNS=100) is what mapbloat prints, word for word.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/^\$ ((?:[A-Z_]+=\S+ )*NO_COLOR=1 )mapbloat ([^\n]*)\n([\s\S]*?)^```/gm)].map(
    (m) => [m[2], m[1], m[3]] as const,
  );
  it('the README has examples', () => expect(examples.length).toBeGreaterThanOrEqual(2));
  it.each(examples)('the README shows `mapbloat %s` as it prints (%s)', async (command, variables, shown) => {
    const env = Object.fromEntries(
      variables
        .trim()
        .split(' ')
        .map((v) => v.split('=') as [string, string]),
    );
    const { code, stdout } = await runCli(command.split(' ').flatMap(braces), { env });
    expect([code, stdout]).toEqual([0, shown]);
  });

  it.each([['analyze'], ['diff'], ['watch']])('`mapbloat help %s` is `mapbloat %s --help`, exit 0', async (command) => {
    const asked = await runCli(['help', command]);
    expect(asked).toEqual({ ...(await runCli([command, '--help'])), code: 0 });
    expect(asked.stdout).toMatch(new RegExp(`^Usage: mapbloat ${command} `));
  });

  it('no command: the usage on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await runCli([]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(/^Usage: mapbloat \[options\] \[command\]/);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

/** The shell's brace expansion, one group: a_{0,1}.pb → a_0.pb a_1.pb. */
function braces(word: string): string[] {
  const m = /^(.*)\{([^}]*)\}(.*)$/.exec(word);
  return m === null ? [word] : m[2].split(',').map((part) => `${m[1]}${part}${m[3]}`);
}
