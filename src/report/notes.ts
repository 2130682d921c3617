import type { AnalyzeResult } from '../analysis/analyze.js';
import type { NoteJson } from './schema.js';
import { formatValue } from './format.js';

/**
 * What a reader must know to trust the numbers. Shown on stderr under the table, inside the
 * markdown, and as `notes` in JSON.
 */
export function analyzeNotes(result: AnalyzeResult): NoteJson[] {
  const notes: NoteJson[] = [];
  const { attribution, sampleIndex, profile } = result;
  if (attribution.runtimeFrames === 'hidden') {
    const type = profile.sampleTypes[sampleIndex];
    const found = attribution.linknamedOnly[sampleIndex];
    const what =
      attribution.totals.map.some((v) => v !== 0)
        ? `Only the ${formatValue(found, type.unit)} ${type.type} reached through runtime map code that keeps another package's name (reflect.mapassign, maps.clone, …) is attributed below.`
        : 'None of the map frames a stock writer keeps (reflect.mapassign, maps.clone, …) occurs in it, so no map memory is attributed below; that does not mean the maps hold none.';
    notes.push({
      code: 'runtime-frames-hidden',
      message:
        "Runtime frames hidden: Go's heap profile writer (runtime/pprof, net/http/pprof, go test -memprofile) removed the runtime's frames from this profile, " +
        'so map internals (runtime.mapassign, hashGrow, internal/runtime/maps) are invisible and map memory is filed under the user line that touched the map. ' +
        `${what} ` +
        "The hidden frames can be recovered from the text profile (/debug/pprof/heap?debug=1) together with the program's binary, " +
        "from the program's source tree, or from a profile written with runtime frames kept.",
    });
  }
  return notes;
}
