import { findsNoMapLine } from '../source/index.js';
import type { AnalyzeResult } from '../analysis/analyze.js';
import type { DiffResult } from '../analysis/diff.js';
import type { Snapshot } from '../analysis/snapshot.js';
import type { ValueType } from '../pprof/profile.js';
import { formatValue } from './format.js';
import type { NoteJson } from './schema.js';

/**
 * What a reader must know to trust the numbers. Shown on stderr under a table, inside markdown,
 * and as `notes` in JSON.
 */
export function analyzeNotes(result: AnalyzeResult): NoteJson[] {
  const type = result.profile.sampleTypes[result.sampleIndex];
  return [
    ...(result.attribution.runtimeFrames === 'hidden'
      ? [hiddenFramesNote([result], result.sampleIndex, type, 'this profile')]
      : []),
    ...unsymbolizedNote([result], 'this profile'),
    ...deltaNote([result], 'this profile'),
    ...(result.profile.headerAgrees === false
      ? [
          {
            code: 'header-disagrees',
            message:
              "The text profile's header totals disagree with its records (an old or hand-edited file; Go's " +
              "writer sums the records it prints): the totals shown are the records' sums, as go tool pprof " +
              'reads them.',
          },
        ]
      : []),
  ];
}

/** Addresses without names: nothing tells map code from any other. */
function unsymbolizedNote(
  snapshots: ReadonlyArray<Pick<Snapshot, 'source' | 'attribution'>>,
  which: string,
): NoteJson[] {
  const bare = snapshots.filter((s) => s.attribution.runtimeFrames === 'unsymbolized');
  if (bare.length === 0) return [];
  const subject = bare.length === snapshots.length ? which : bare.map((s) => s.source).join(', ');
  return [
    {
      code: 'unsymbolized',
      message:
        `No function names in ${subject}: its stacks are bare addresses (an unsymbolized profile), so ` +
        `mapbloat cannot tell map code from any other and sees no map memory. ` +
        "mapbloat needs symbols: give the program's binary (--binary), or a profile written by runtime/pprof " +
        '(which symbolizes) or symbolized by go tool pprof -proto.',
    },
  ];
}

/** A delta profile's values are changes between two profiles: negative where memory was freed. */
function deltaNote(snapshots: ReadonlyArray<Pick<Snapshot, 'source' | 'attribution'>>, which: string): NoteJson[] {
  const delta = snapshots.filter((s) => s.attribution.negativeSamples.some((n) => n > 0));
  if (delta.length === 0) return [];
  const counts = delta[0].attribution.sampleTypes
    .map((t, i) => [t.type, Math.max(...delta.map((s) => s.attribution.negativeSamples[i]))] as const)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${n.toLocaleString('en-US')} in ${type}`);
  const subject = delta.length === snapshots.length ? which : delta.map((s) => s.source).join(', ');
  return [
    {
      code: 'delta-profile',
      message:
        `Negative values in ${subject} (${counts.join(', ')} samples): a delta profile, the difference of two ` +
        'profiles as continuous profilers (Parca, Pyroscope, Datadog) store them. ' +
        'Its values and totals are net changes over its duration, not the heap at one moment; a negative ' +
        'value (memory freed) is shown with a minus sign and counts against every total it is part of.',
    },
  ];
}

/** A stock protobuf read with --binary: exact per site, coarse in phase. */
const CALL_SITES_NOTE: NoteJson = {
  code: 'call-sites-from-binary',
  message:
    "Runtime frames hidden: Go's heap profile writer removed them, and the program's binary recovered which " +
    'runtime map function each allocating line calls (mapassign, makemap, mapclone). ' +
    'Map memory per site is exact. Growth and overflow buckets are allocated inside mapassign: their phases ' +
    'are inferred from the sizes of the objects and the map types in the binary. ' +
    'The text profile (/debug/pprof/heap?debug=1) with --binary shows the phases in the frames.',
};

export function diffNotes(diff: DiffResult): NoteJson[] {
  const notes: NoteJson[] = [];
  if (diff.orderedBy === 'arguments') {
    notes.push({
      code: 'ordered-by-arguments',
      message:
        'Some profiles have no time or the same time: the snapshots are taken in the order given on the command line.',
    });
  }
  const hidden = diff.snapshots.filter((s) => s.attribution.runtimeFrames === 'hidden');
  if (hidden.length > 0) {
    const type = diff.snapshots[0].profile.sampleTypes[diff.sampleIndex];
    const which = hidden.length === diff.snapshots.length ? 'these profiles' : hidden.map((s) => s.source).join(', ');
    notes.push(hiddenFramesNote(hidden, diff.sampleIndex, type, which));
  }
  notes.push(...unsymbolizedNote(diff.snapshots, 'these profiles'), ...deltaNote(diff.snapshots, 'these profiles'));
  return notes;
}

/** A stock protobuf read with its source tree: inferred, line by line. */
const SOURCE_NOTE: NoteJson = {
  code: 'lines-from-source',
  message:
    'Runtime frames hidden: Go\'s heap profile writer removed them, so the map sites marked "source" are ' +
    'inferred from the Go source of the line each allocation was filed under. ' +
    'Source cannot tell growth or overflow from assignment (they count as assign), and a line marked mixed ' +
    'also allocates memory that is not the map: its values count the whole line. ' +
    'The text profile (/debug/pprof/heap?debug=1) with --binary gives exact values and phases.',
};

function hiddenFramesNote(
  snapshots: ReadonlyArray<Pick<Snapshot, 'attribution' | 'sourceStats'>>,
  t: number,
  type: ValueType,
  which: string,
): NoteJson {
  const attributions = snapshots.map((s) => s.attribution);
  if (attributions.some((a) => a.visibility === 'exact')) return CALL_SITES_NOTE;
  if (attributions.some((a) => a.visibility === 'inferred')) return SOURCE_NOTE;
  const anyMap = attributions.some((a) => a.totals.map.some((v) => v !== 0));
  const found = Math.max(...attributions.map((a) => a.linknamedOnly[t]));
  const what = anyMap
    ? `Only map memory reached through runtime map code that keeps another package's name (reflect.mapassign, ` +
      `maps.clone, …; up to ${formatValue(found, type.unit)} ${type.type}) is attributed.`
    : 'None of the map frames a stock writer keeps (reflect.mapassign, maps.clone, …) occurs, so no map memory ' +
      'is attributed; that does not mean the maps hold none.';
  return {
    code: 'runtime-frames-hidden',
    message:
      `Runtime frames hidden: Go's heap profile writer (runtime/pprof, net/http/pprof, go test -memprofile) ` +
      `removed the runtime's frames from ${which}, ` +
      'so map internals (runtime.mapassign, hashGrow, internal/runtime/maps) are invisible and map memory is ' +
      'filed under the user line that touched the map. ' +
      `${what} ${wrongTree(snapshots)}` +
      'The hidden frames can be recovered from the text profile (/debug/pprof/heap?debug=1) together with ' +
      "the program's binary (--binary), " +
      "from the program's source tree, or from a profile written with runtime frames kept.",
  };
}

/** A source tree that has the profile's files but none of its map lines: likely not this program's. */
function wrongTree(snapshots: ReadonlyArray<Pick<Snapshot, 'sourceStats'>>): string {
  const stats = snapshots.flatMap((s) => (s.sourceStats === null ? [] : [s.sourceStats]));
  if (!stats.some(findsNoMapLine)) return '';
  return (
    "The source tree has some of the profile's lines but none that touches a map: it may be another " +
    "program's source or another version of it (the profile's file names are matched by their last elements). "
  );
}
