import type { Phase } from './phase.js';

/**
 * What a Go function name (and, for runtime code published under another name, its file) says
 * about the function: map runtime code (docs/attribution.md §3), its phase (§4), runtime or
 * standard library (§5), the generic and print forms of a name. The one place that knows Go's
 * names; every other module asks here.
 */

// Go ≤ 1.23's hmap (and Go 1.24 built with GOEXPERIMENT=noswissmap), with the reflect entry points
// the runtime publishes by linkname; Go ≥ 1.24's Swiss tables are all of internal/runtime/maps.
const MAP_FRAMES = new Set([
  ...['makemap', 'makemap64', 'makemap_small', 'makemap_slow', 'makeBucketArray', 'mapclone', 'mapclone2', 'moveToBmap']
    .concat(['mapassign', 'mapassign_fast32', 'mapassign_fast32ptr', 'mapassign_fast64', 'mapassign_fast64ptr'])
    .concat(['mapassign_faststr', 'hashGrow', '(*hmap).newoverflow', '(*hmap).createOverflow'])
    .concat(['growWork', 'growWork_fast32', 'growWork_fast64', 'growWork_faststr'])
    .concat(['evacuate', 'evacuate_fast32', 'evacuate_fast64', 'evacuate_faststr'])
    .concat(['reflect_makemap', 'reflect_mapassign', 'reflect_mapassign_faststr'])
    .map((name) => `runtime.${name}`),
  ...['makemap', 'mapassign', 'mapassign0', 'mapassign_faststr', 'mapassign_faststr0'].map((name) => `reflect.${name}`),
  'maps.clone',
]);

export function isMapFrame(fn: string): boolean {
  return MAP_FRAMES.has(fn) || (fn.length > SWISS.length && fn.startsWith(SWISS)) || isInferredMapFrame(fn);
}

/**
 * mapbloat's exported profiles (--output-profile) put a frame in front of a map allocation that
 * only the source tree told (evidence "source"), named after the operation the line lowers to:
 * "runtime.mapassign (inferred from source)". Read back, it is a map frame of that operation's
 * phase, an allocator leaf, and proves neither map implementation.
 */
const INFERRED = ' (inferred from source)';
const INFERRED_OPS = { create: 'runtime.makemap', assign: 'runtime.mapassign', clone: 'runtime.mapclone' } as const;

export function inferredMapFrame(phase: keyof typeof INFERRED_OPS): string {
  return `${INFERRED_OPS[phase]}${INFERRED}`;
}

function isInferredMapFrame(fn: string): boolean {
  return fn.endsWith(INFERRED) && Object.values<string>(INFERRED_OPS).includes(fn.slice(0, -INFERRED.length));
}

/**
 * Runtime map code published under another package's name with go:linkname. A stock heap
 * profile writer keeps these frames (their names do not start with "runtime.").
 */
export function isLinknamedMapFrame(fn: string): boolean {
  return /^(reflect\.(makemap|mapassign0?|mapassign_faststr0?)|maps\.clone)$/.test(fn);
}

/**
 * The runtime functions compiled Go code calls for a map operation: what the call instruction of
 * a user line names when the line makes, writes or clones a map (map literals and make lower to
 * makemap*, m[k] = v to mapassign*, maps.Clone to mapclone).
 */
export function isMapEntryPoint(fn: string): boolean {
  return /^runtime\.(mapassign(_fast32|_fast32ptr|_fast64|_fast64ptr|_faststr)?|makemap(64|_small)?|mapclone2?)$/.test(
    fn,
  );
}

const SWISS = 'internal/runtime/maps.';

const GROW = new Set([
  'runtime.hashGrow',
  `${SWISS}(*table).grow`,
  `${SWISS}(*table).split`,
  `${SWISS}(*table).rehash`,
  `${SWISS}(*Map).growToTable`,
  `${SWISS}(*Map).installTableSplit`,
]);
const CLONE = new Set(['runtime.mapclone', 'runtime.mapclone2', 'runtime.moveToBmap', 'maps.clone']);
const CREATE = new Set([
  'runtime.makemap',
  'runtime.makemap64',
  'runtime.makemap_small',
  'runtime.makemap_slow',
  'runtime.reflect_makemap',
  'reflect.makemap',
  `${SWISS}NewMap`,
  `${SWISS}NewEmptyMap`,
]);

/** The phase a map frame stands for on its own; a sample takes the first rule any frame meets. */
export function framePhase(fn: string): Phase {
  if (isInferredMapFrame(fn)) fn = fn.slice(0, -INFERRED.length);
  if (GROW.has(fn) || /^runtime\.(growWork|evacuate)/.test(fn)) return 'grow';
  if (fn === 'runtime.(*hmap).newoverflow') return 'overflow';
  if (CLONE.has(fn) || (fn.startsWith(SWISS) && /clone/i.test(fn))) return 'clone';
  if (CREATE.has(fn)) return 'create';
  return 'assign';
}

/**
 * The runtime's allocation entry points, where a full-frame writer's allocation stacks start.
 * Which frame comes first depends on the version and the path: runtime.MemProfile skips a fixed
 * number of frames above mallocgc, so a Go 1.19–1.23 stack starts one call out from mallocgc's
 * caller (makeBucketArray for a newarray, makemap_small for a newobject; user code itself for a
 * growslice or makechan), a Go 1.24 one at internal/runtime/maps.newarray and the like. The list
 * holds every level. A stock writer never leaves such a leaf in front of user code (§7
 * runtimeFrames; fixtures/runtime-stacks shows what it does leave).
 */
export function isAllocatorFrame(fn: string): boolean {
  return ALLOCATOR.test(fn) || (fn.startsWith(SWISS) && isMapFrame(fn)) || isInferredMapFrame(fn);
}

const ALLOCATOR = new RegExp(
  '^runtime\\.(' +
    ['mallocgc\\w*', 'newobject', 'newarray', 'makeslice(64|copy)?', 'growslice', 'makechan(64)?', 'unsafe_New(Array)?']
      .concat(['makemap(64|_small|_slow)?', 'makeBucketArray', '\\(\\*hmap\\)\\.(newoverflow|createOverflow)'])
      .concat(['hashGrow', 'growWork\\w*', 'evacuate\\w*', 'mapassign\\w*', 'mapclone2?', 'moveToBmap'])
      .concat(['rawstring\\w*', 'rawbyteslice', 'rawruneslice', 'concatstring\\w*', 'intstring', 'convT\\w*'])
      .concat(['slicebytetostring', 'slicerunetostring', 'stringtoslicebyte', 'stringtoslicerune'])
      .join('|') +
    ')$',
);

/** Go runtime code, which is never a site (§5). "runtime/pprof." is not runtime code. */
export function isRuntimeFunction(fn: string): boolean {
  return fn.startsWith('runtime.') || fn.startsWith('internal/runtime/');
}

/**
 * Runtime code, by name or by source file. The file matters for runtime code published under
 * another name: Go 1.19's `time.resetTimer` lives in runtime/time.go.
 */
export function isRuntimeFrame(fn: string, file: string): boolean {
  return isRuntimeFunction(fn) || /(^|\/src\/)(runtime\/[^/]+\.go$|internal\/runtime\/|runtime\/internal\/)/.test(file);
}

/**
 * The package path of a function: the name cut at the first "[" (generic instantiations like
 * "main.Index[go.shape.int,go.shape.struct { ID int; Name string }]" hold dots, spaces and
 * slashes), then up to the first "." after the last "/".
 */
export function packagePath(fn: string): string {
  const bracket = fn.indexOf('[');
  const name = bracket < 0 ? fn : fn.slice(0, bracket);
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot < 0 ? name : name.slice(0, dot);
}

/** Standard library: the first path element has no "." and the package is not main. */
export function isStdFunction(fn: string): boolean {
  const pkg = packagePath(fn);
  if (pkg === 'main') return false;
  const first = pkg.split('/', 1)[0];
  return !first.includes('.');
}

/** Which map implementation a frame proves, if any (§7 `runtime`). */
export function mapRuntimeHint(fn: string, file: string): 'swiss' | 'hmap' | null {
  if (fn.startsWith(SWISS)) return 'swiss';
  if (!isMapFrame(fn) || isInferredMapFrame(fn)) return null;
  if (fn.startsWith('runtime.')) return 'hmap';
  // A linknamed frame: only its file tells. Go 1.24 keeps both implementations side by side;
  // later releases put the Swiss one back in runtime/map.go, so that name proves nothing.
  if (file.endsWith('runtime/map_swiss.go')) return 'swiss';
  if (file.endsWith('runtime/map_noswiss.go')) return 'hmap';
  return null;
}

/**
 * A function name as Go prints it in tracebacks and text profiles: generic instantiations lose
 * their shape arguments ("main.Index[...]"). Protobuf profiles of Go ≥ 1.21 keep the full name.
 */
export function printName(name: string): string {
  let out = '';
  let depth = 0;
  for (const ch of name) {
    if (ch === '[') {
      if (depth === 0) out += '[...]';
      depth++;
    } else if (ch === ']' && depth > 0) {
      depth--;
    } else if (depth === 0) {
      out += ch;
    }
  }
  return out;
}

/** runtime.goexit ends every goroutine's stack; profiles leave it out. */
export const GOEXIT = 'runtime.goexit';
