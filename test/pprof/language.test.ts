import { describe, expect, it } from 'vitest';
import { frameLanguage, functionLanguage, isUnsymbolized } from '../../src/pprof/language.js';
import type { Func, Location } from '../../src/pprof/profile.js';

const fn = (name: string, filename = ''): Func => ({ name, systemName: name, filename, startLine: 0 });
const at = (address: number, ...functions: Func[]): Location => ({
  address,
  mapping: null,
  lines: functions.map((f) => ({ function: f, line: 1 })),
});

describe('functionLanguage', () => {
  it.each([
    ['main.main', 'mapbloat.test/multi/main.go', 'Go'],
    ['runtime.mallocgc', '', 'Go'],
    ['sync.(*Map).Store', '', 'Go'],
    ['example.com/app/cache.New', '', 'Go'],
    ['encoding/json.Marshal', '', 'Go'],
    ['(anonymous)', '', 'Node.js'],
    ['processTicksAndRejections', 'node:internal/process/task_queues', 'Node.js'],
    ['handler', '/srv/app/server.mjs', 'Node.js'],
    ['render', 'webpack:///src/view.tsx', 'Node.js'],
    ['java.util.HashMap.resize', '', 'Java'],
    ['com.example.Cache.put', 'Cache.java', 'Java'],
    ['System.Collections.Generic.Dictionary`2.Resize', '', '.NET'],
    ['Cache.Put', 'Cache.cs', '.NET'],
    ['std::vector<int>::_M_realloc_insert', '', 'C/C++'],
    ['malloc', 'malloc.c', 'C/C++'],
    ['Arena::Allocate', 'arena.h', 'C/C++'],
    ['malloc', '', null],
    ['fmt.Sprintf', '', null],
    ['', '', null],
  ])('%s in %s: %s', (name, file, language) => {
    expect(functionLanguage(name, file)).toBe(language);
  });
});

describe('frameLanguage', () => {
  it('is the language of most functions, each counted once', () => {
    const js = fn('(anonymous)', '/srv/app/server.js');
    const locations = [
      at(1, js),
      at(2, js),
      at(3, fn('node::Buffer::New', 'node_buffer.cc')),
      at(4, fn('handler', '/srv/app/api.js')),
    ];
    expect(frameLanguage({ locations })).toBe('Node.js');
  });

  it('gives a tie to Go: a cgo program has C frames too', () => {
    expect(frameLanguage({ locations: [at(1, fn('main.main', 'main.go'), fn('sqlite3_step', 'sqlite3.c'))] })).toBe(
      'Go',
    );
  });

  it('is null when no frame tells', () => {
    expect(frameLanguage({ locations: [at(1, fn('f')), at(2)] })).toBeNull();
  });
});

describe('isUnsymbolized', () => {
  it('is true for addresses without a single function name', () => {
    expect(isUnsymbolized({ locations: [at(0x401000), at(0x401020, fn(''))] })).toBe(true);
  });

  it('is false once one function has a name, or when there are no addresses', () => {
    expect(isUnsymbolized({ locations: [at(0x401000), at(0x401020, fn('main.main'))] })).toBe(false);
    expect(isUnsymbolized({ locations: [at(0)] })).toBe(false);
    expect(isUnsymbolized({ locations: [] })).toBe(false);
  });
});
