/**
 * The JSON that `mapbloat analyze --json` prints: docs/attribution.md §7 `mapbloat/analyze@1`. This type is the
 * single source of the schema; the README documents it from here. Field names never change
 * within a schema version; fields may be added.
 */

/**
 * Sample type name → value, for every sample type of the profile. Exact integers: past 2^53 the
 * JSON holds every digit (a BigInt here), which jq ≥ 1.7 keeps and JSON.parse rounds.
 */
export type ValuesJson = Record<string, number>;

export type PhaseName = 'create' | 'grow' | 'overflow' | 'assign' | 'clone';

export interface ProfileJson {
  /** The file name as given on the command line; "-" for stdin. */
  source: string;
  /** Collection time, nanoseconds since the Unix epoch (0 when unknown). */
  timeNanos: number;
  durationNanos: number;
  /** "type/unit", in the profile's order, e.g. "inuse_space/bytes". */
  sampleTypes: string[];
  /** The profile's own default_sample_type, or null when it sets none (Go never does). */
  defaultSampleType: string | null;
  /** Which map implementation the frames show: "swiss" (Go ≥ 1.24), "hmap", or "unknown". */
  runtime: 'swiss' | 'hmap' | 'unknown';
  /**
   * "hidden" for every stock Go profile: the writer removed the runtime's frames (docs/attribution.md
   * §9); "unsymbolized" for a profile without function names, which cannot tell.
   */
  runtimeFrames: 'present' | 'hidden' | 'unsymbolized';
  /**
   * How much of the map memory could be seen: "exact" (frames present, or recovered with the
   * binary), "inferred" (from the source tree; a lower bound), "partial" (only linknamed frames; a
   * lower bound), "none" (map totals are null).
   */
  mapVisibility: 'exact' | 'inferred' | 'partial' | 'none';
  /**
   * The program's own code: the main module's path (null when only file names told it apart) and
   * what told it — "build-info" (the binary's), "go.mod" (of the source tree), "file-names"
   * (module-cache `@v` and `vendor/` elements mark dependencies). null when nothing did.
   */
  mainModule: { path: string | null; source: 'build-info' | 'go.mod' | 'file-names' } | null;
  /** The owner rule used: "app" (first frame of own code; needs mainModule) or "lib" (first frame outside std). */
  ownerRule: 'app' | 'lib';
}

/** What names a site, in analyze and in diff. */
export interface SiteKeyJson {
  /** 1-based position in the ranking (before --top cuts the list). */
  rank: number;
  /** The owner: the first frame outside the standard library at or above the map operation. */
  function: string;
  file: string;
  /** null with --granularity function. */
  line: number | null;
  /**
   * The function the owner reached the map through: a standard-library one ("sync.(*Map).Store")
   * or, with owner rule "app", the library's ("github.com/patrickmn/go-cache.(*cache).Set").
   */
  via: string | null;
  /** What the attribution rests on: "frames" (runtime frames in the profile), "binary", "source". */
  evidence: 'frames' | 'binary' | 'source';
}

/**
 * What the sizes of a site's heap objects say of its maps (docs/attribution.md §10), when its
 * map type is known: from the binary's type descriptors, or the map's declared type in source.
 */
export interface ShapeJson {
  impl: 'hmap' | 'swiss';
  /**
   * name, key and elem: as reflect prints them (binary: `map[string][]uint8`), or as the map's
   * declaration spells them (source: `map[string][]byte`, `*Session`, a struct body as `struct{…}`);
   * null when not known (binary types of one layout that fit alike; source lines naming one
   * layout in different spellings).
   */
  type: {
    name: string | null;
    key: string | null;
    elem: string | null;
    from: 'binary' | 'source';
    bucketBytes?: number;
    groupBytes?: number;
  };
  /** Live maps made at this site (their headers); 0 when the site only fills maps made elsewhere. */
  maps: number;
  /**
   * Live tables by size, largest first: 2^log2 buckets (hmap) or groups (Swiss) of 8 slots, bytes
   * per table, how many.
   */
  tables: Array<{ buckets?: number; groups?: number; log2: number; slots: number; bytes: number; count: number }>;
  /** Slots of all live tables together (a Swiss map past 1024 slots is several tables). */
  slots: number;
  /** Bounds on the entries the site's largest map held at its peak; null without a live table. */
  entries: { min: number; max: number } | null;
  /** Tables allocated by growth, and their bytes since freed. */
  growths: number;
  garbage: number;
  /**
   * hmap overflow buckets live past their table. With source evidence (no phases), the live
   * single buckets of a site that also holds a table of 2^B ≥ 2 buckets: overflow buckets, or the
   * first buckets of other maps the line filled — sizes cannot tell them apart.
   */
  overflowBuckets: number;
  /** Live objects of elems too large for the table (over 128 bytes), and their bytes. */
  indirect: { count: number; bytes: number };
  /**
   * The owner lines whose objects hold tables (1 at granularity "line"), and the map types its
   * objects are of by their sizes. Either past 1: the site is several maps (say a function that
   * fills four maps on four lines); `type` and `tables` are then those of the type that explains
   * most of its bytes, the others left out, and no presize or never-shrinks advice follows.
   */
  lines: number;
  types: number;
}

export interface SiteJson extends SiteKeyJson {
  values: ValuesJson;
  /** Only the phases with a non-zero value. */
  phases: Partial<Record<PhaseName, ValuesJson>>;
  /**
   * Evidence "source" only: the line also allocates memory that is not the map (e.g.
   * `cache[id] = make([]byte, n)`); its values count the whole line. false when the sizes of its
   * objects told the map's apart.
   */
  mixed: boolean;
  /** The phases were read from object sizes (a stock profile with --binary), not seen in frames. */
  phasesFromSizes: boolean;
  shape: ShapeJson | null;
  /** Short, specific advice the numbers support; empty when they support none. */
  advice: NoteJson[];
}

/** How the profile's file names were found under --source-path (evidence "source"). */
export interface SourceJson {
  /** The directories searched. */
  roots: string[];
  resolvedFiles: number;
  resolvedLines: number;
  /** Of resolvedLines, those that do something to a map; 0: the tree tells nothing of the maps (not visible). */
  mapLines: number;
  /**
   * Of resolvedLines, where their files were: the tree, vendor/, the module cache, $GOROOT/src, or
   * elsewhere at the absolute path the profile names ("profile-path").
   */
  resolvedLinesByPlace: {
    tree: number;
    vendor: number;
    'module-cache': number;
    goroot: number;
    'profile-path': number;
  };
  unresolvedLines: number;
  /** Of unresolvedLines, those in standard-library files (add $GOROOT/src to --source-path). */
  unresolvedStdLines: number;
  /** Profile file names not found (the first 10): the user's first, then the standard library's. */
  unresolvedFiles: string[];
  /** Files passed over (over --max-source-file-size, unreadable) and whether listing stopped at --max-source-files. */
  skipped: { tooLarge: number; unreadable: number; walkStopped: boolean; fileLimit: number; walkLimit: number };
}

export interface NoteJson {
  /** Stable identifier, e.g. "runtime-frames-hidden". */
  code: string;
  message: string;
}

export interface AnalyzeJson {
  schema: 'mapbloat/analyze@1';
  profile: ProfileJson;
  /** The sample type the sites are ranked by. */
  sampleIndex: string;
  granularity: 'line' | 'function';
  /** The --focus regular expression, or null. */
  focus: string | null;
  /** heap: every sample; map: the samples that pass through map runtime code, null when not visible. */
  totals: { heap: ValuesJson; map: ValuesJson | null };
  /** Ranked by sampleIndex, then alloc_space, then function name. */
  sites: SiteJson[];
  /** Sites in the profile, sites matching --focus, and sites listed here (after --top). */
  siteCounts: { total: number; matched: number; shown: number };
  notes: NoteJson[];
  /** From a text profile's `# runtime.MemStats` block; null for protobuf profiles. */
  memstats: MemStatsJson | null;
  /** The source tree lookups, when the profile's leaf lines were read from source; else null. */
  source: SourceJson | null;
}

/** runtime.MemStats fields (bytes, except NumGC), as the text profile printed them. */
export interface MemStatsJson {
  HeapAlloc: number;
  HeapInuse: number;
  HeapIdle: number;
  HeapReleased: number;
  Sys: number;
  NumGC: number;
  /** Above 2^53 (and so inexact) when the GC is off. */
  NextGC: number;
  /** Map inuse_space / HeapInuse: the share of the in-use heap spans that maps hold. */
  mapShareOfHeapInuse: number | null;
}

/**
 * The JSON that `mapbloat diff --json` prints: docs/attribution.md §7 `mapbloat/diff@1`.
 */
export interface DiffJson {
  schema: 'mapbloat/diff@1';
  /** The profiles, in time order (argument order when times are missing or equal). */
  snapshots: ProfileJson[];
  orderedBy: 'time' | 'arguments';
  /** The sample type the sites are ranked by and the thresholds apply to. */
  sampleIndex: string;
  granularity: 'line' | 'function';
  focus: string | null;
  /** One value object per snapshot; a map total is null where that snapshot's maps are not visible. */
  totals: { heap: ValuesJson[]; map: Array<ValuesJson | null> };
  /** Last minus first; map is null when either end is not visible. */
  totalsDelta: { heap: ValuesJson; map: ValuesJson | null };
  /** Rising sites first (three or more snapshots), then by the delta of sampleIndex. */
  sites: DiffSiteJson[];
  siteCounts: { total: number; matched: number; shown: number };
  /** The CI gate: the thresholds given and what exceeded them (exit code 1 when any did). */
  gate: {
    maxGrowth: string | null;
    maxSiteGrowth: string | null;
    /** The values checked are inferred from source lines (some snapshot has mapVisibility "inferred"), not exact. */
    inferred: boolean;
    breaches: BreachJson[];
  };
  notes: NoteJson[];
}

export interface DiffSiteJson extends SiteKeyJson {
  /** via: from the last snapshot that has the site. */
  /**
   * One value object per snapshot; zeros where the site is absent; null (the whole entry) where it
   * is absent from a snapshot whose maps are not visible (mapVisibility "none", as totals.map[] is
   * null), only partly ("partial"), or inferred from a source tree that did not find every profile
   * line: it may have been there unseen, so its value is unknown, never a false zero.
   */
  series: Array<ValuesJson | null>;
  /** Last minus first; null when the first or the last snapshot's maps are not visible. */
  delta: ValuesJson | null;
  /** 100 × delta / first; a type's entry is null where the first value is 0; the whole is null where delta is. */
  deltaPercent: Record<string, number | null> | null;
  /**
   * new: absent in the first snapshot; gone: absent in the last; else by the sign of the delta;
   * unknown: the first or the last snapshot's maps are not visible (so neither new nor gone can be told).
   */
  status: 'new' | 'gone' | 'grown' | 'shrunk' | 'unchanged' | 'unknown';
  /**
   * Only with three or more snapshots, on sampleIndex's series, over the snapshots whose maps are
   * visible (null entries skipped); unknown when fewer than two are.
   */
  trend?: 'rising' | 'falling' | 'flat' | 'mixed' | 'unknown';
  /** As in analyze: the line also allocates non-map memory (evidence "source"). */
  mixed: boolean;
  /** Where the site's table grew between two snapshots ("table-grew"); empty when it did not or sizes do not tell. */
  advice: NoteJson[];
}

export interface BreachJson {
  option: '--max-growth' | '--max-site-growth';
  /** "map" for the map total, "site" for one site (function, file, line given). */
  scope: 'map' | 'site';
  function: string | null;
  file: string | null;
  line: number | null;
  /** The threshold as given, e.g. "5MiB" or "10%". */
  limit: string;
  /** Values of sampleIndex: the first snapshot's and the growth to the last. */
  first: number;
  delta: number;
  /** The line printed on stderr. */
  message: string;
}
