import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/source/lexer.js';
import { mapLines } from '../../src/source/map-lines.js';
import { candidatePaths, longestSuffixMatch, modulePath, placeOf } from '../../src/source/resolve.js';

/** line → "phase" or "phase mixed", for one file. */
function ops(...files: string[]): Record<number, string> {
  const result = mapLines(files.map((text, i) => ({ path: `f${i}.go`, text })));
  return Object.fromEntries(
    [...result.get('f0.go')!].map(([line, op]) => [line, op.mixed ? `${op.phase} mixed` : op.phase]),
  );
}

describe('Go source: which lines are map operations', () => {
  it('make, literals, element writes, maps.Clone/Copy', () => {
    expect(
      ops(`package p
var global = map[string]int{"a": 1}
func f(in map[string]int, n int) map[string]int {
	m := make(map[string][]int, n)
	m["k"] = nil
	in["x"] += 2
	in["y"]++
	c := maps.Clone(in)
	maps.Copy(c, in)
	var set map[int]struct{}
	set = map[int]struct{}{}
	set[1] = struct{}{}
	return c
}`),
    ).toEqual({
      2: 'create',
      4: 'create',
      5: 'assign',
      6: 'assign',
      7: 'assign',
      8: 'clone',
      9: 'assign',
      11: 'create',
      12: 'assign',
    });
  });

  it('never code inside strings, raw strings, runes or comments', () => {
    expect(
      ops(`package p
var m map[string]int
func f() {
	s := "m[k] = 1 make(map[int]int)"
	r := \`m["x"] = 2
m["y"] = 3\`
	_ = '['
	// m["z"] = 4
	/* m["w"] = 5
	   make(map[string]int) */
	m[s+r] = 6
}`),
    ).toEqual({ 11: 'assign' });
  });

  it('slices, reads, deletes, comparisons and function results are not map writes', () => {
    expect(
      ops(`package p
func f(keys []string, m map[string]int) map[string]int {
	keys[0] = "a"
	v := m["a"]
	v, ok := m["b"]
	if m["c"] == v { delete(m, "c") }
	b := make([]byte, 10)
	b[1] = 2
	_ = ok
	return m
}
func g() map[int]int {
	return nil
}`),
    ).toEqual({});
  });

  it('struct fields declared in another file of the package, named map types, multiple assignment', () => {
    const types = `package p
type Index map[string]*Entry
type (
	Set = map[int]bool
	Server struct {
		cache, other map[string][]byte
		byID Index
	}
)`;
    expect(
      ops(
        `package p
func (s *Server) put(id string, b []byte) {
	s.cache[id] = b
	s.byID[id], s.other[id] = nil, b
	idx := Index{}
	set := make(Set)
	idx[id] = &Entry{}
	set[1] = true
}`,
        types,
      ),
    ).toEqual({ 3: 'assign', 4: 'assign', 5: 'create', 6: 'create', 7: 'assign mixed', 8: 'assign' });
  });

  it('mixed: the line allocates something besides the map', () => {
    expect(
      ops(`package p
var cache map[string][]byte
func f(id string, n int, s string) {
	cache[id] = make([]byte, n)
	cache[id+"x"] = nil
	cache[id] = append(cache[id], 1)
	cache[id] = []byte(s)
	cache[id] = nil
}`),
    ).toEqual({ 4: 'assign mixed', 5: 'assign mixed', 6: 'assign mixed', 7: 'assign mixed', 8: 'assign' });
  });

  it('tokenizes with line numbers across raw strings and block comments', () => {
    const tokens = tokenize('a /* x\ny */ b `c\nd` e\n"f\\"g" \'h\'');
    expect(tokens.map((t) => [t.kind, t.text, t.line])).toEqual([
      ['ident', 'a', 1],
      ['ident', 'b', 2],
      ['string', '`c\nd`', 2],
      ['ident', 'e', 3],
      ['string', '"f\\"g"', 4],
      ['rune', "'h'", 4],
    ]);
  });
});

describe('finding a profile file in a source tree', () => {
  const layout = {
    roots: ['/src'],
    trimPaths: ['/build/app'],
    modules: [
      { path: 'example.com/app', dir: '/src/app' },
      { path: 'example.com/app/sub', dir: '/work/sub' },
    ],
    modCache: '/home/u/go/pkg/mod',
    goRoot: '/usr/lib/go',
  };
  const paths = (file: string, std = false) =>
    candidatePaths(file, std, layout).map((p) => `${placeOf(p, layout)} ${p}`);

  it('trims build prefixes, maps module paths (longest first), tries names as they are', () => {
    expect(paths('/build/app/cache.go')).toEqual(['tree /src/cache.go', 'profile-path /build/app/cache.go']);
    expect(paths('example.com/app/sub/x.go')).toEqual([
      'tree /work/sub/x.go',
      'tree /src/app/sub/x.go',
      'tree /src/example.com/app/sub/x.go',
    ]);
    expect(paths('example.com/app/main.go')).toEqual(['tree /src/app/main.go', 'tree /src/example.com/app/main.go']);
  });

  it('looks for a dependency in vendor/ and the module cache, the standard library in $GOROOT/src', () => {
    // Another machine's module cache, and -trimpath's module@version names (capitals escaped on disk).
    expect(paths('/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.1/decode.go')).toEqual([
      'profile-path /root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.1/decode.go',
      'module-cache /home/u/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.1/decode.go',
    ]);
    // A cache set elsewhere with $GOMODCACHE: from the module path (its domain) on.
    expect(paths('/ci/cache/go.uber.org/zap@v1.27.0/logger.go').at(-1)).toBe(
      'module-cache /home/u/go/pkg/mod/go.uber.org/zap@v1.27.0/logger.go',
    );
    expect(paths('github.com/BurntSushi/toml@v1.2.1/decode.go')).toEqual([
      'tree /src/github.com/BurntSushi/toml@v1.2.1/decode.go',
      'vendor /src/vendor/github.com/BurntSushi/toml/decode.go',
      'module-cache /home/u/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.1/decode.go',
    ]);
    expect(paths('/build/app/vendor/github.com/x/y/z.go')).toEqual([
      'vendor /src/vendor/github.com/x/y/z.go',
      'vendor /build/app/vendor/github.com/x/y/z.go',
    ]);
    expect(paths('/usr/local/go/src/sync/map.go', true)).toEqual([
      'profile-path /usr/local/go/src/sync/map.go',
      'goroot /usr/lib/go/src/sync/map.go',
    ]);
    expect(placeOf('/home/u/go/pkg/mod/x.io/y@v1.0.0/z.go', layout)).toBe('module-cache');
    expect(paths('sync/map.go', true)).toEqual(['tree /src/sync/map.go', 'goroot /usr/lib/go/src/sync/map.go']);
  });

  it('matches the longest path suffix, and refuses a tie', () => {
    const listed = ['/s/a/leak/main.go', '/s/b/grow/main.go', '/s/c/util.go', '/s/d/util.go'];
    expect(longestSuffixMatch('mapbloat.test/leak/main.go', listed)).toBe('/s/a/leak/main.go');
    expect(longestSuffixMatch('example.com/x/util.go', listed)).toBeNull();
    expect(longestSuffixMatch('other.go', listed)).toBeNull();
  });

  it('reads the module path of a go.mod', () => {
    expect(modulePath('// comment\nmodule mapbloat.test/leak\n\ngo 1.19\n')).toBe('mapbloat.test/leak');
    expect(modulePath('module "example.com/quoted"\n')).toBe('example.com/quoted');
    expect(modulePath('go 1.21\n')).toBeNull();
  });
});
