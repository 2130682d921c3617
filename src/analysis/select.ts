import type { ProfileMeta } from './snapshot.js';
import { resolveSampleIndex } from './sample-type.js';

/** What the user asked to see: the same for analyze and diff. */
export interface Query {
  /** A sample type name; default: the profile's (docs/attribution.md §1). */
  readonly sampleIndex?: string;
  /** Keep the sites whose owner function or file matches this regular expression. */
  readonly focus?: Focus;
  /** How many sites to list; 0 or undefined lists all. */
  readonly top?: number;
}

/** A regular expression as the user wrote it, and compiled. */
export interface Focus {
  readonly text: string;
  readonly re: RegExp;
}

/** A query resolved against a profile's sample types. */
export interface Selection {
  readonly sampleIndex: number;
  readonly focus: string | null;
  readonly keep: (site: { readonly function: string; readonly file: string }) => boolean;
  readonly top: number;
}

export function resolveQuery(profile: Pick<ProfileMeta, 'sampleTypes' | 'defaultSampleType'>, query: Query): Selection {
  return {
    sampleIndex: resolveSampleIndex(profile, query.sampleIndex),
    focus: query.focus?.text ?? null,
    keep: focusFilter(query.focus?.re),
    top: query.top ?? 0,
  };
}

/** Ranked sites → the ones that match the focus, and of those the ones listed (top). */
export function selectSites<S extends { readonly function: string; readonly file: string }>(
  ranked: readonly S[],
  selection: Selection,
): { readonly matched: readonly S[]; readonly shown: readonly S[] } {
  const matched = ranked.filter(selection.keep);
  return { matched, shown: selection.top > 0 ? matched.slice(0, selection.top) : matched };
}

/** A site stays when its owner function or file matches. */
function focusFilter(re: RegExp | undefined): Selection['keep'] {
  return re === undefined ? () => true : (site) => re.test(site.function) || re.test(site.file);
}
