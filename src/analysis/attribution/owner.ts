import type { Samples } from '../../pprof/profile.js';
import type { FrameTable } from '../../stacks/frame-table.js';
import { MAP, OWN, RECOVERED, RUNTIME, STD } from './classify.js';

/** Where a map sample's walk ended: frame numbers of its site and owner (docs/attribution.md §5). */
export interface OwnerFound {
  site: number;
  owner: number;
  /** The first map frame was recovered from the binary. */
  recovered: boolean;
}

/**
 * Step 3, for one map sample, walking leaf → root: the first map frame, the end of its run, the
 * first frame past it that is not runtime code (the site; else the run's last frame), then from
 * the site on the owner: the first frame of the program's own code when `own` (rule "app"), else
 * — or when there is none — the first frame outside the standard library, else the site. Writes
 * into `out` so the hot loop allocates nothing.
 */
export function findOwner(
  table: FrameTable,
  flags: Uint16Array,
  own: boolean,
  samples: Samples,
  i: number,
  out: OwnerFound,
): void {
  const { locationStart, locationFrameIds } = table;
  const { stackStart, stackLocations } = samples;
  let state = 0; // 0: before the run, 1: in it, 2: looking for the site, 3: for the owner
  let runLast = -1;
  let site = -1;
  let owner = -1;
  let outsideStd = -1;
  let recovered = false;
  walk: for (let k = stackStart[i]; k < stackStart[i + 1]; k++) {
    const l = stackLocations[k];
    for (let j = locationStart[l]; j < locationStart[l + 1]; j++) {
      const f = locationFrameIds[j];
      const fl = flags[f];
      if (state === 0) {
        if (!(fl & MAP)) continue;
        state = 1;
        recovered = (fl & RECOVERED) !== 0;
      }
      if (state === 1) {
        if (fl & MAP) {
          runLast = f;
          continue;
        }
        state = 2;
      }
      if (state === 2) {
        if (fl & RUNTIME) continue;
        site = f;
        state = 3;
      }
      if (fl & OWN) {
        owner = f;
        break walk;
      }
      if (!(fl & STD) && outsideStd < 0) {
        outsideStd = f;
        if (!own) break walk;
      }
    }
  }
  if (site < 0) site = runLast;
  out.site = site;
  out.owner = owner >= 0 ? owner : outsideStd >= 0 ? outsideStd : site;
  out.recovered = recovered;
}
