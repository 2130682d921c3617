import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeInput } from '../../src/pprof/input.js';
import type { Frame, Location, Profile } from '../../src/pprof/profile.js';
import { buildFrameTable, locationFrames, sampleFrames } from '../../src/stacks/frame-table.js';
import { runtimeFramesOf } from '../../src/stacks/runtime-frames.js';
import { FIXTURES, fixture, runJson, siteFacts } from '../helpers.js';
import { profileWith } from '../synth.js';

// The rule for `runtimeFrames` (src/stacks/runtime-frames.ts) against real profiles whose stock
// writer left runtime code at the leaf: fixtures/runtime-stacks (fixtures/README.md) ran the
// execution tracer, timers, finalizers and goroutines, then wrote ONE heap snapshot as the stock
// protobuf (runtime frames hidden), the stock text and a full-frame protobuf, with Go 1.23 and
// with Go 1.19.

const RUNTIME_FILE = /^runtime\/[^/]+\.go$/;
/** Runtime code by name or by file (time.startTimer is runtime/time.go), independent of src/. */
const isRuntime = (f: Frame) => f.function.startsWith('runtime.') || RUNTIME_FILE.test(f.file);
/**
 * The stacks this fixture is about: empty (the runtime's own frame, runtime.goexit, is all
 * there was), ending in runtime code or in runtime/trace, or run by the runtime alone below a
 * user or std leaf (a finalizer, an AfterFunc callback's goroutine start).
 */
const isRuntimeStack = (frames: readonly Frame[]) =>
  frames.length === 0 ||
  isRuntime(frames[0]) ||
  frames[0].function.startsWith('runtime/trace.') ||
  (frames.length > 1 && frames.slice(1).every(isRuntime) && frames.at(-1)!.function !== 'runtime.main');

function protobuf(path: string): Profile {
  const input = decodeInput(readFileSync(`${FIXTURES}/runtime-stacks/${path}`));
  if (input.kind !== 'protobuf') throw new Error(`${path} is ${input.kind}`);
  return input.profile;
}

/** [stack leaf first as "f <- g <- …", samples, alloc_space, inuse_space] per distinct stack. */
function runtimeStacks(profile: Profile): Array<[string, number, number, number]> {
  const t = profile.sampleTypes.map((s) => s.type);
  expect(t).toEqual(['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
  const by = new Map<string, [string, number, number, number]>();
  for (let i = 0; i < profile.samples.count; i++) {
    const frames = sampleFrames(profile, i);
    if (!isRuntimeStack(frames)) continue;
    const key = frames.map((f) => f.function).join(' <- ');
    const row = by.get(key) ?? [key, 0, 0, 0];
    row[1]++;
    row[2] += profile.samples.values[i * 4 + 1];
    row[3] += profile.samples.values[i * 4 + 3];
    by.set(key, row);
  }
  return [...by.values()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const allFunctions = (profile: Profile) =>
  new Set(profile.locations.flatMap((l) => l.lines.map((line) => line.function.name)));

const analyze = (argv: string[]) => runJson(['analyze', ...argv]);

const MAIN = 'mapbloat.test/rtstacks/main.go';
// main.go line 148: m := make(map[string]int); line 150: m[k] = i for 5,000 keys. Hash seed
// decides the overflow buckets, so line 150 differs between the two runs (not between the files
// of one run).
const CREATE_48 = { alloc_objects: 1, alloc_space: 48, inuse_objects: 1, inuse_space: 48 };
const GROWN_MAKE = {
  function: 'main.buildGrown',
  file: MAIN,
  line: 148,
  via: null,
  values: CREATE_48,
  phases: { create: CREATE_48 },
};

const CASES = [
  {
    version: 'go1.23',
    // Every stock stack of the run that ends in runtime code, exactly. The kinds:
    //   trace:      runtime.StopTrace inlined into runtime/trace.Stop (Go 1.23's StopTrace is a
    //               one-line call of traceAdvance); the tracer's own goroutines, all runtime
    //               (readTrace0, and the timer and channel of traceAdvancer / traceStartReadCPU);
    //   timers:     time.newTimer (runtime/time.go under a std name) under AfterFunc, NewTimer,
    //               NewTicker, After; time.Sleep (runtime/time.go); the timer heap growing on
    //               the scheduler's stack (addHeap <- … <- resetForSleep <- park_m <- mcall);
    //               time.goFunc (an AfterFunc callback's `go`) run by the scheduler;
    //   finalizers: the 16 B frame runfinq allocates, whose recorded stack is runtime.goexit
    //               alone (an empty stack here), and the finalizer function run by runfinq;
    //               SetFinalizer itself allocates nothing on the heap (see below);
    //   goroutines: runtime.malg and runtime.allgadd <- newproc1 <- newproc.func1 <- systemstack;
    //   else:       gcBgMarkWorker, sync.runtime_Semacquire (runtime/sema.go), the godebug
    //               metric registry (runtime/metrics.go) and the channel made in main.main.
    runtimeStacks: [
      ['', 1, 16, 16],
      [
        'internal/godebug.registerMetric <- internal/godebug.(*Setting).register <- sync.(*Once).doSlow <- ' +
          'sync.(*Once).Do <- internal/godebug.(*Setting).IncNonDefault <- time.syncTimer <- time.NewTimer <- ' +
          'main.timerActivity <- main.main <- runtime.main',
        8,
        8792,
        8728,
      ],
      ['main.finalizerActivity.func1 <- runtime.runfinq', 1, 768, 768],
      [
        'runtime.(*timers).addHeap <- runtime.(*timer).maybeAdd <- runtime.(*timer).modify <- ' +
          'runtime.(*timer).reset <- runtime.(*wakeableSleep).sleep <- ' +
          'runtime.(*traceAdvancerState).start.func1',
        1,
        32,
        0,
      ],
      [
        'runtime.(*timers).addHeap <- runtime.(*timer).maybeAdd <- runtime.(*timer).modify <- ' +
          'runtime.(*timer).reset <- runtime.(*wakeableSleep).sleep <- runtime.traceStartReadCPU.func1',
        1,
        16,
        0,
      ],
      [
        'runtime.(*timers).addHeap <- runtime.(*timer).maybeAdd <- runtime.(*timer).modify <- ' +
          'runtime.(*timer).reset <- runtime.resetForSleep <- runtime.park_m <- runtime.mcall',
        2,
        1664,
        1152,
      ],
      ['runtime.StopTrace <- runtime/trace.Stop <- main.traceActivity <- main.main <- runtime.main', 17, 6416, 0],
      [
        'runtime.acquireSudog <- runtime.chanrecv <- runtime.chanrecv1 <- runtime.(*wakeableSleep).sleep <- ' +
          'runtime.(*traceAdvancerState).start.func1',
        1,
        96,
        96,
      ],
      [
        'runtime.acquireSudog <- runtime.chanrecv <- runtime.chanrecv1 <- runtime.(*wakeableSleep).sleep <- ' +
          'runtime.traceStartReadCPU.func1',
        1,
        96,
        96,
      ],
      ['runtime.allgadd <- runtime.newproc1 <- runtime.newproc.func1 <- runtime.systemstack', 2, 768, 512],
      ['runtime.gcBgMarkWorker', 1, 64, 64],
      ['runtime.malg <- runtime.newproc1 <- runtime.newproc.func1 <- runtime.systemstack', 1, 14336, 14336],
      ['runtime.readTrace0 <- runtime.ReadTrace.func1 <- runtime.systemstack', 1, 16, 0],
      ['runtime/trace.Start <- main.traceActivity <- main.main <- runtime.main', 19, 2360424, 352],
      [
        'sync.runtime_Semacquire <- sync.(*WaitGroup).Wait <- main.goroutineActivity <- main.main <- runtime.main',
        1,
        96,
        96,
      ],
      ['time.Sleep <- main.goroutineActivity.func1', 1, 3072, 0],
      [
        'time.goFunc <- runtime.(*timer).unlockAndRun <- runtime.(*timers).run <- runtime.(*timers).check <- ' +
          'runtime.stealWork <- runtime.findRunnable <- runtime.schedule <- runtime.goexit0 <- runtime.mcall',
        1,
        896,
        896,
      ],
      [
        'time.goFunc <- runtime.(*timer).unlockAndRun <- runtime.(*timers).run <- runtime.(*timers).check <- ' +
          'runtime.stealWork <- runtime.findRunnable <- runtime.schedule <- runtime.park_m <- runtime.mcall',
        2,
        576,
        448,
      ],
      ['time.newTimer <- time.AfterFunc <- main.timerActivity <- main.main <- runtime.main', 5, 1456, 0],
      ['time.newTimer <- time.NewTicker <- main.timerActivity <- main.main <- runtime.main', 1, 112, 0],
      ['time.newTimer <- time.NewTimer <- main.timerActivity <- main.main <- runtime.main', 1, 112, 0],
      [
        'time.newTimer <- time.NewTimer <- time.After <- main.finalizerActivity <- main.main <- runtime.main',
        1,
        112,
        0,
      ],
    ],
    inlinedLeaf: ['runtime.StopTrace', 'runtime/trace.Stop'],
    heap: { alloc_objects: 5434, alloc_space: 3053264, inuse_objects: 5074, inuse_space: 420176 },
    grown: {
      function: 'main.buildGrown',
      file: MAIN,
      line: 150,
      via: null,
      values: { alloc_objects: 136, alloc_space: 485832, inuse_objects: 2, inuse_space: 229400 },
      phases: {
        grow: { alloc_objects: 11, alloc_space: 459832, inuse_objects: 2, inuse_space: 229400 },
        overflow: { alloc_objects: 124, alloc_space: 25792, inuse_objects: 0, inuse_space: 0 },
        assign: { alloc_objects: 1, alloc_space: 208, inuse_objects: 0, inuse_space: 0 },
      },
    },
  },
  {
    version: 'go1.19',
    // The kinds, Go 1.19:
    //   trace:      no runtime frame at the leaf: StartTrace, ReadTrace and StopTrace are not
    //               inlined, so the stock writer strips them (leaves runtime/trace.Start and the
    //               reader goroutine runtime/trace.Start.func1); all runtime: traceGoCreate, the
    //               tracer's event for a goroutine creation;
    //   timers:     time.startTimer (runtime/time.go under a std name) under AfterFunc and
    //               NewTimer; time.Sleep; the timer heap growing on the scheduler's stack
    //               (doaddtimer <- modtimer <- resettimer <- resetForSleep <- park_m <- mcall);
    //               time.goFunc run by the scheduler;
    //   finalizers, goroutines: as with Go 1.23; and gcMarkDone's sudog, gcBgMarkWorker.
    runtimeStacks: [
      ['', 1, 16, 16],
      ['main.finalizerActivity.func1 <- runtime.runfinq', 1, 768, 768],
      [
        'runtime.acquireSudog <- runtime.semacquire1 <- runtime.semacquire <- runtime.gcMarkDone <- ' +
          'runtime.gcBgMarkWorker',
        1,
        96,
        96,
      ],
      ['runtime.allgadd <- runtime.newproc1 <- runtime.newproc.func1 <- runtime.systemstack', 2, 768, 512],
      [
        'runtime.doaddtimer <- runtime.modtimer <- runtime.resettimer <- runtime.resetForSleep <- ' +
          'runtime.park_m <- runtime.mcall',
        3,
        304,
        288,
      ],
      ['runtime.gcBgMarkWorker', 1, 64, 64],
      ['runtime.malg <- runtime.newproc1 <- runtime.newproc.func1 <- runtime.systemstack', 1, 13312, 13312],
      ['runtime.traceGoCreate <- runtime.newproc1 <- runtime.newproc.func1 <- runtime.systemstack', 1, 16, 16],
      ['runtime/trace.Start <- main.traceActivity <- main.main <- runtime.main', 9, 1181176, 0],
      ['runtime/trace.Start.func1', 11, 5408, 0],
      ['time.Sleep <- main.goroutineActivity.func1', 1, 2560, 0],
      [
        'time.goFunc <- runtime.runOneTimer <- runtime.runtimer <- runtime.checkTimers <- ' +
          'runtime.findRunnable <- runtime.schedule <- runtime.park_m <- runtime.mcall',
        1,
        832,
        832,
      ],
      [
        'time.goFunc <- runtime.runOneTimer <- runtime.runtimer <- runtime.checkTimers <- runtime.stealWork ' +
          '<- runtime.findRunnable <- runtime.schedule <- runtime.goexit0 <- runtime.mcall',
        2,
        1376,
        1248,
      ],
      ['time.startTimer <- time.AfterFunc <- main.timerActivity <- main.main <- runtime.main', 5, 248, 0],
      ['time.startTimer <- time.NewTimer <- main.timerActivity <- main.main <- runtime.main', 1, 8, 0],
    ],
    // Inlined runtime frames here are inside runtime functions (resettimer in resetForSleep,
    // semacquire in gcMarkDone), in all-runtime stacks.
    inlinedLeaf: null,
    heap: { alloc_objects: 5408, alloc_space: 1866232, inuse_objects: 5057, inuse_space: 412760 },
    grown: {
      function: 'main.buildGrown',
      file: MAIN,
      line: 150,
      via: null,
      values: { alloc_objects: 143, alloc_space: 487288, inuse_objects: 2, inuse_space: 229400 },
      phases: {
        grow: { alloc_objects: 11, alloc_space: 459832, inuse_objects: 2, inuse_space: 229400 },
        overflow: { alloc_objects: 131, alloc_space: 27248, inuse_objects: 0, inuse_space: 0 },
        assign: { alloc_objects: 1, alloc_space: 208, inuse_objects: 0, inuse_space: 0 },
      },
    },
  },
] as const;

describe.each(CASES)('fixtures/runtime-stacks/$version', (c) => {
  const stock = protobuf(`${c.version}/stock.pb.gz`);
  const full = protobuf(`${c.version}/full.pb.gz`);
  const binary = fixture(`runtime-stacks/${c.version}/bin/rtstacks.gz`);

  it('the stock protobuf holds trace, timer, finalizer and goroutine-creation stacks that end in runtime code', () => {
    expect(runtimeStacks(stock)).toEqual(c.runtimeStacks);
    // Stock stacks that are runtime code from end to end, including the allocator's callers.
    const whole = c.runtimeStacks
      .map(([s]) => s)
      .filter((s) => s !== '' && s.split(' <- ').every((f) => f.startsWith('runtime.')));
    expect(whole).toContain('runtime.malg <- runtime.newproc1 <- runtime.newproc.func1 <- runtime.systemstack');
    expect(whole.some((s) => s.startsWith('runtime.(*timers).addHeap') || s.startsWith('runtime.doaddtimer'))).toBe(
      true,
    );
  });

  it('runtime code inlined into a std function is the leaf of a stock stack (Go 1.23 only)', () => {
    // Leaf locations whose innermost frame is runtime code and whose physical function is not.
    const { stackStart, stackLocations } = stock.samples;
    const leaves = new Set<Location>();
    for (let i = 0; i < stock.samples.count; i++)
      if (stackStart[i] < stackStart[i + 1]) leaves.add(stock.locations[stackLocations[stackStart[i]]]);
    const inlined = [...leaves]
      .map(locationFrames)
      .filter((frames) => isRuntime(frames[0]) && !isRuntime(frames.at(-1)!));
    expect(inlined.map((frames) => frames.map((f) => f.function))).toEqual(
      c.inlinedLeaf === null ? [] : [c.inlinedLeaf],
    );
  });

  it('SetFinalizer allocates nothing on the heap: no finalizer registration frame anywhere, runfinq frame only', () => {
    for (const profile of [stock, full]) {
      expect(
        [...allFunctions(profile)].filter((f) => /SetFinalizer|addfinalizer|addspecial|createfing/.test(f)),
      ).toEqual([]);
      expect(allFunctions(profile).has('runtime.runfinq')).toBe(true);
    }
    // runfinq's argument frame: mallocgc called by runfinq itself, recorded as runtime.goexit alone.
    const empty = [...Array(full.samples.count).keys()].filter(
      (i) => full.samples.stackStart[i] === full.samples.stackStart[i + 1],
    );
    expect(empty.map((i) => Array.from(full.samples.values.subarray(i * 4, i * 4 + 4)))).toEqual([[1, 16, 1, 16]]);
  });

  it('stock protobuf: runtime frames hidden, no map visible', async () => {
    const got = await analyze([fixture(`runtime-stacks/${c.version}/stock.pb.gz`)]);
    expect([got.profile.runtimeFrames, got.profile.mapVisibility, got.totals.map]).toEqual(['hidden', 'none', null]);
    expect(got.totals.heap).toEqual(c.heap);
    expect(got.sites).toEqual([]);
    expect(got.notes.map((n) => n.code)).toEqual(['runtime-frames-hidden']);
  });

  it('stock text alone: hidden as well', async () => {
    const got = await analyze([fixture(`runtime-stacks/${c.version}/stock.heap.txt`)]);
    expect([got.profile.runtimeFrames, got.profile.mapVisibility, got.totals.map]).toEqual(['hidden', 'none', null]);
    expect(got.totals.heap).toEqual(c.heap);
  });

  it('full-frame protobuf: present, the grown map with its exact bytes', async () => {
    const got = await analyze([fixture(`runtime-stacks/${c.version}/full.pb.gz`)]);
    expect([got.profile.runtimeFrames, got.profile.mapVisibility, got.profile.runtime]).toEqual([
      'present',
      'exact',
      'hmap',
    ]);
    expect(got.totals.heap).toEqual(c.heap);
    const sites = got.sites.map(siteFacts);
    expect(sites.find((s) => s.function === 'main.buildGrown' && s.line === 150)).toEqual(c.grown);
    expect(sites.find((s) => s.function === 'main.buildGrown' && s.line === 148)).toEqual(GROWN_MAKE);
    expect(got.sites[0].function).toBe('main.buildGrown');
  });

  it('stock text with --binary: present, and every site and total of the full-frame profile', async () => {
    const [text, ref] = await Promise.all([
      analyze([fixture(`runtime-stacks/${c.version}/stock.heap.txt`), '--binary', binary]),
      analyze([fixture(`runtime-stacks/${c.version}/full.pb.gz`)]),
    ]);
    expect([text.profile.runtimeFrames, text.profile.mapVisibility]).toEqual(['present', 'exact']);
    expect(text.totals).toEqual(ref.totals);
    expect(text.sites.map(siteFacts)).toEqual(ref.sites.map(siteFacts));
    expect(text.sites.find((s) => s.line === 150)?.values).toEqual(c.grown.values);
    expect(new Set(text.sites.map((s) => s.evidence))).toEqual(new Set(['binary']));
  });

  it(
    'runtimeFramesOf: the stock stacks that end in runtime code read hidden, and so do the all-runtime ones of ' +
      'the full profile',
    () => {
      const stockRuntime = only(stock, (frames) => isRuntimeStack(frames));
      expect(stockRuntime.samples.count).toBe(c.runtimeStacks.reduce((n, [, count]) => n + count, 0));
      expect(runtimeFramesOf(stockRuntime, buildFrameTable(stockRuntime.locations))).toBe('hidden');
      const fullAllRuntime = only(full, (frames) => frames.length > 0 && frames.every(isRuntime));
      expect(fullAllRuntime.samples.count).toBeGreaterThan(0);
      expect(runtimeFramesOf(fullAllRuntime, buildFrameTable(fullAllRuntime.locations))).toBe('hidden');
      // One map allocation of the program with its runtime frames is enough.
      const grownMake = only(full, (frames) => frames.some((f) => f.function === 'main.buildGrown' && f.line === 148));
      expect(grownMake.samples.count).toBe(1);
      expect(sampleFrames(grownMake, 0)[0].function).toBe('runtime.makemap_small');
      expect(runtimeFramesOf(grownMake, buildFrameTable(grownMake.locations))).toBe('present');
    },
  );
});

/** The profile with only the samples whose frames `keep` accepts. */
function only(profile: Profile, keep: (frames: readonly Frame[]) => boolean): Profile {
  const { samples } = profile;
  const t = profile.sampleTypes.length;
  const kept = [...Array(samples.count).keys()].filter((i) => keep(sampleFrames(profile, i)));
  const stackStart = new Uint32Array(kept.length + 1);
  const stackLocations: number[] = [];
  const values = new Float64Array(kept.length * t);
  kept.forEach((i, k) => {
    stackStart[k] = stackLocations.length;
    stackLocations.push(...samples.stackLocations.subarray(samples.stackStart[i], samples.stackStart[i + 1]));
    values.set(samples.values.subarray(i * t, (i + 1) * t), k * t);
  });
  stackStart[kept.length] = stackLocations.length;
  return {
    ...profile,
    samples: { count: kept.length, stackStart, stackLocations: Uint32Array.from(stackLocations), values, exact: null },
  };
}

/**
 * A profile of the given stacks, one sample each: a stack is its locations leaf first, a location
 * its frames ([function, file]) innermost first.
 */
function profileOf(stacks: ReadonlyArray<ReadonlyArray<ReadonlyArray<readonly [string, string]>>>): Profile {
  const locations: Location[] = [];
  const stackStart = new Uint32Array(stacks.length + 1);
  const stackLocations: number[] = [];
  stacks.forEach((stack, i) => {
    stackStart[i] = stackLocations.length;
    for (const frames of stack) {
      stackLocations.push(locations.length);
      locations.push({
        address: 0,
        mapping: null,
        lines: frames.map(([name, filename], k) => ({
          function: { name, systemName: name, filename, startLine: 0 },
          line: 10 + k,
        })),
      });
    }
  });
  stackStart[stacks.length] = stackLocations.length;
  const samples = {
    count: stacks.length,
    stackStart,
    stackLocations: Uint32Array.from(stackLocations),
    values: new Float64Array(stacks.length).fill(64),
    exact: null,
  };
  return profileWith(samples, locations, { sampleTypes: [{ type: 'inuse_space', unit: 'bytes' }] });
}

const framesOf = (profile: Profile) => runtimeFramesOf(profile, buildFrameTable(profile.locations));

describe('runtimeFramesOf, one stack at a time', () => {
  const user = [[['main.main', 'mapbloat.test/x/main.go']], [['runtime.main', 'runtime/proc.go']]] as const;

  it('an allocator leaf that goes on into user code: present', () => {
    expect(framesOf(profileOf([[[['runtime.makemap_small', 'runtime/map.go']], ...user]]))).toBe('present');
    expect(
      framesOf(
        profileOf([[[['runtime.growslice', 'runtime/slice.go']], [['time.AfterFunc', 'time/sleep.go']], ...user]]),
      ),
    ).toBe('present');
  });

  it('goroutine creation, all runtime, even from the allocator on: hidden', () => {
    const creation = [
      [['runtime.newproc1', 'runtime/proc.go']],
      [['runtime.newproc.func1', 'runtime/proc.go']],
      [['runtime.systemstack', 'runtime/asm_amd64.s']],
    ] as const;
    expect(framesOf(profileOf([[[['runtime.malg', 'runtime/proc.go']], ...creation]]))).toBe('hidden');
    expect(
      framesOf(
        profileOf([[[['runtime.newobject', 'runtime/malloc.go']], [['runtime.malg', 'runtime/proc.go']], ...creation]]),
      ),
    ).toBe('hidden');
  });

  it('runtime code inlined into a std function at the leaf: hidden', () => {
    const stopTrace = [
      ['runtime.StopTrace', 'runtime/trace.go'],
      ['runtime/trace.Stop', 'runtime/trace/trace.go'],
    ] as const;
    expect(framesOf(profileOf([[stopTrace, ...user]]))).toBe('hidden');
  });

  it('an allocator leaf under runtime code published under a std name (runtime/time.go): hidden', () => {
    const timer = [
      [['runtime.growslice', 'runtime/slice.go']],
      [['runtime.doaddtimer', 'runtime/time.go']],
      [['runtime.addtimer', 'runtime/time.go']],
      [['time.startTimer', 'runtime/time.go']],
    ] as const;
    expect(framesOf(profileOf([timer]))).toBe('hidden');
    expect(framesOf(profileOf([[...timer, [['time.AfterFunc', 'time/sleep.go']], ...user]]))).toBe('present');
  });

  it('no samples, or an empty stack: hidden; locations without lines: unsymbolized', () => {
    expect(framesOf(profileOf([]))).toBe('hidden');
    expect(framesOf(profileOf([[]]))).toBe('hidden');
    expect(framesOf(profileOf([[[]]]))).toBe('unsymbolized');
  });
});
