import {
  framePhase,
  isLinknamedMapFrame,
  isMapFrame,
  isRuntimeFunction,
  isStdFunction,
  mapRuntimeHint,
} from '../../go/names.js';
import { PHASES } from '../../go/phase.js';
import type { FrameTable } from '../../stacks/frame-table.js';
import { isOwnFrame, type MainModule } from '../../stacks/main-module.js';

// Per-frame flags.
export const MAP = 1;
export const RUNTIME = 2;
export const STD = 4;
export const SWISS = 8;
export const HMAP = 16;
/** Recovered from the binary, not in the profile (see stacks/call-sites.ts). */
export const RECOVERED = 32;
/** A map frame that is not linknamed: the sample is more than what a stock writer shows. */
export const UNLINKED_MAP = 64;
/** The program's own code (package main or the main module), with owner rule "app". */
export const OWN = 128;
/** A map entry point of a key kind: the fast variants the compiler picks for string, 8- and 4-byte keys. */
export const KEY_STRING = 256;
export const KEY_64 = 512;
export const KEY_32 = 1024;

/** The phase rank of a frame or location without a map frame. */
export const NO_PHASE = 255;

/**
 * Step 1 of the attribution: every distinct frame classified once (flags, phase rank in PHASES
 * order), and every location once (its frames' flags or-ed, their lowest phase rank), so that a
 * sample is settled by one read per location.
 */
export interface Classes {
  readonly frameFlags: Uint16Array;
  readonly framePhase: Uint8Array;
  readonly locationFlags: Uint16Array;
  readonly locationPhase: Uint8Array;
}

/** `own`: the main module when the owner rule is "app" and one is known; null otherwise. */
export function classify(table: FrameTable, own: MainModule | null): Classes {
  const frameFlags = Uint16Array.from(table.frames, (f) => {
    let fl = 0;
    if (own !== null && isOwnFrame(f, own)) fl |= OWN;
    if (/^runtime\.(mapassign|growWork|evacuate)_faststr$/.test(f.function)) fl |= KEY_STRING;
    else if (/^runtime\.(mapassign|growWork|evacuate)_fast64(ptr)?$/.test(f.function)) fl |= KEY_64;
    else if (/^runtime\.(mapassign|growWork|evacuate)_fast32(ptr)?$/.test(f.function)) fl |= KEY_32;
    if (isMapFrame(f.function)) fl |= isLinknamedMapFrame(f.function) ? MAP : MAP | UNLINKED_MAP;
    if (isRuntimeFunction(f.function)) fl |= RUNTIME;
    if (f.recovered === true) fl |= RECOVERED;
    if (isStdFunction(f.function)) fl |= STD;
    // A recovered runtime.mapassign is the name both implementations use: it proves neither.
    const hint = f.recovered === true ? null : mapRuntimeHint(f.function, f.file);
    if (hint === 'swiss') fl |= SWISS;
    if (hint === 'hmap') fl |= HMAP;
    return fl;
  });
  const framePhaseRank = Uint8Array.from(table.frames, (f, k) =>
    frameFlags[k] & MAP ? PHASES.indexOf(framePhase(f.function)) : NO_PHASE,
  );

  const nLocations = table.locationStart.length - 1;
  const locationFlags = new Uint16Array(nLocations);
  const locationPhase = new Uint8Array(nLocations).fill(NO_PHASE);
  const { locationStart, locationFrameIds } = table;
  for (let l = 0; l < nLocations; l++) {
    for (let k = locationStart[l]; k < locationStart[l + 1]; k++) {
      const f = locationFrameIds[k];
      locationFlags[l] |= frameFlags[f];
      if (framePhaseRank[f] < locationPhase[l]) locationPhase[l] = framePhaseRank[f];
    }
  }
  return { frameFlags, framePhase: framePhaseRank, locationFlags, locationPhase };
}
