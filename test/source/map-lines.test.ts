import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/source/lexer.js';
import { mapLines } from '../../src/source/map-lines.js';
import { candidatePaths, longestSuffixMatch, modulePath } from '../../src/source/resolve.js';

/** line → "phase" or "phase mixed", for one file. */
function ops(...files: string[]): Record<number, string> {
  const result = mapLines(files.map((text, i) => ({ path: `f${i}.go`, text })));
  return Object.fromEntries([...result.get('f0.go')!].map(([line, op]) => [line, op.mixed ? `${op.phase} mixed` : op.phase]));
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
    ).toEqual({ 2: 'create', 4: 'create', 5: 'assign', 6: 'assign', 7: 'assign', 8: 'clone', 9: 'assign', 11: 'create', 12: 'assign' });
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
  const layout = { roots: ['/src'], trimPaths: ['/build/app'], modules: [{ path: 'example.com/app', dir: '/src/app' }, { path: 'example.com/app/sub', dir: '/work/sub' }] };

  it('trims build prefixes, maps module paths (longest first), tries names as they are', () => {
    expect(candidatePaths('/build/app/cache.go', layout)).toEqual(['/src/cache.go', '/build/app/cache.go']);
    expect(candidatePaths('example.com/app/sub/x.go', layout)).toEqual(['/work/sub/x.go', '/src/app/sub/x.go', '/src/example.com/app/sub/x.go']);
    expect(candidatePaths('example.com/app/main.go', layout)).toEqual(['/src/app/main.go', '/src/example.com/app/main.go']);
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
