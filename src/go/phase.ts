/** What a map allocation was for (docs/attribution.md §4), in the order the rules are tried. */
export const PHASES = ['grow', 'overflow', 'clone', 'create', 'assign'] as const;
export type Phase = (typeof PHASES)[number];

/** The order phases are listed in reports: a map's life, from its creation on. */
export const PHASE_DISPLAY_ORDER: readonly Phase[] = ['create', 'grow', 'overflow', 'assign', 'clone'];
