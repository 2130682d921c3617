import type { GoMapType } from '../../binary/map-types.js';
import { ALL_RUNTIMES, type MapRuntime } from '../../go/map-runtime.js';
import { mapTables } from '../../go/type-layout.js';
import type { MapOperands } from '../../source/map-lines.js';
import { KEY_32, KEY_64, KEY_STRING } from './classify.js';
import type { ShapeCandidate } from './shapes.js';

/** The map types of a program, from its binary, with the facts of its Go version. */
export interface BinaryMapTypes {
  readonly runtime: MapRuntime;
  readonly types: readonly GoMapType[];
}

/**
 * The map types a site's maps may be of: the binary's, narrowed by the key its map entry points
 * name (mapassign_faststr takes string keys, _fast64 8-byte ones, _fast32 4-byte ones); else the
 * type its source lines declare, laid out for every runtime the profile may come from (a stock
 * profile names no Go version), narrowed to the implementation its frames show.
 */
export function shapeCandidates(
  binary: BinaryMapTypes | null,
  sourceTypes: MapOperands | null | undefined,
  flags: number,
  impl: 'swiss' | 'hmap' | 'unknown',
): ShapeCandidate[] {
  if (binary !== null) {
    const keyed = binary.types.filter((t) => keyFits(t, flags));
    return keyed.map((t) => ({
      geometry: {
        runtime: binary.runtime,
        slotBytes: t.impl === 'hmap' ? t.bucketSize : t.groupSize,
        scan: t.tablePointers,
      },
      name: t.name,
      key: t.key.name,
      elem: t.elem.name,
      indirectElem: t.indirectElem ? t.elem.size : null,
      from: 'binary' as const,
    }));
  }
  if (sourceTypes === null || sourceTypes === undefined) return [];
  const tables = mapTables(sourceTypes.key, sourceTypes.elem);
  return ALL_RUNTIMES.filter((rt) => impl === 'unknown' || rt.impl === impl).map((runtime) => ({
    geometry: { runtime, slotBytes: runtime.impl === 'hmap' ? tables.bucket : tables.group, scan: tables.scan },
    name:
      sourceTypes.keyName === null || sourceTypes.elemName === null
        ? null
        : `map[${sourceTypes.keyName}]${sourceTypes.elemName}`,
    key: sourceTypes.keyName,
    elem: sourceTypes.elemName,
    indirectElem: sourceTypes.elem.size > 128 ? sourceTypes.elem.size : null,
    from: 'source' as const,
  }));
}

function keyFits(t: GoMapType, flags: number): boolean {
  if (flags & KEY_STRING) return t.key.name === 'string';
  if (flags & KEY_64) return t.key.size === 8 && !t.indirectKey;
  if (flags & KEY_32) return t.key.size === 4;
  return true;
}
