import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/pprof/profile.js';
import { findMainModule } from '../../src/stacks/main-module.js';

const frame = (fn: string, file = `/src/${fn.split('.')[0]}/x.go`): Frame => ({ function: fn, file, line: 1 });
const FRAMES = [
  frame('main.main'),
  frame('example.com/cachesrv/internal/index.(*Index).Add'),
  frame('github.com/patrickmn/go-cache.(*cache).Set'),
  frame('runtime.mallocgc'),
];

describe('the main module from a source tree of several go.mod files', () => {
  it('the shallowest module whose packages the frames show, not the first go.mod listed', () => {
    const modules = [
      { path: 'example.com/aaa', depth: 1 },
      { path: 'example.com/cachesrv', depth: 1 },
      { path: 'example.com/cachesrv/tools', depth: 2 },
    ];
    expect(findMainModule(null, modules, FRAMES)).toEqual({ path: 'example.com/cachesrv', source: 'go.mod' });
  });

  it('a program of package main alone: the one shallowest module, or none when that is a tie', () => {
    const main = [frame('main.main'), frame('main.step')];
    expect(findMainModule(null, [{ path: 'example.com/app', depth: 0 }], main)).toEqual({
      path: 'example.com/app',
      source: 'go.mod',
    });
    const workspace = [
      { path: 'mapbloat.test/big', depth: 1 },
      { path: 'mapbloat.test/grow', depth: 1 },
    ];
    expect(findMainModule(null, workspace, main)).toBeNull();
    // Under -trimpath, package main's file names carry its module.
    const trimmed = [frame('main.main', 'mapbloat.test/grow/main.go')];
    expect(findMainModule(null, workspace, trimmed)).toEqual({ path: 'mapbloat.test/grow', source: 'go.mod' });
  });

  it('the binary’s build info comes first', () => {
    const buildInfo = { path: 'example.com/cachesrv', mainModule: { path: 'example.com/cachesrv' } };
    expect(
      findMainModule(
        buildInfo as Parameters<typeof findMainModule>[0],
        [{ path: 'example.com/aaa', depth: 0 }],
        FRAMES,
      ),
    ).toEqual({ path: 'example.com/cachesrv', source: 'build-info' });
  });
});
