import type { Func, Profile } from './profile.js';

/**
 * Whose frames a profile holds. pprof is every language's format: a Node.js, Java or C++ heap
 * profile has heap sample types too, and only its frames say it is not Go's. Pure functions for
 * the analysis to refuse such a profile, or an unsymbolized one, with a message that says so.
 */
export type Language = 'Go' | 'Node.js' | 'Java' | '.NET' | 'C/C++';

// Anchored at the end or the start, one alternation each: linear in the name, whatever it holds.
const BY_FILE: ReadonlyArray<readonly [RegExp, Language]> = [
  [/\.go$/, 'Go'],
  [/\.(?:[cm]?js|jsx|[cm]?ts|tsx)$|^node:/, 'Node.js'],
  [/\.java$/, 'Java'],
  [/\.cs$/, '.NET'],
  [/\.(?:c|cc|cpp|cxx|h|hh|hpp|hxx)$/, 'C/C++'],
];
const BY_NAME: ReadonlyArray<readonly [RegExp, Language]> = [
  // V8's pseudo-frames, in Node.js profiles from pprof-nodejs.
  [/^\((?:anonymous|program|garbage collector|idle|root)\)$/, 'Node.js'],
  [/^(?:java|javax|jdk|sun)\./, 'Java'],
  [/^(?:System|Microsoft)\./, '.NET'],
  [/::/, 'C/C++'],
  // Go's symbol names: main.main, runtime.mallocgc, sync.(*Map).Store.
  [/^(?:main|runtime)\.|\.\(\*?\w/, 'Go'],
];

/** The language a function is written in, by its file name, else by its name; null when neither tells. */
export function functionLanguage(name: string, file: string): Language | null {
  for (const [pattern, language] of BY_FILE) if (pattern.test(file)) return language;
  for (const [pattern, language] of BY_NAME) if (pattern.test(name)) return language;
  // An import path, then the package's symbol: example.com/app/cache.(*LRU).Get, encoding/json.Marshal.
  const slash = name.lastIndexOf('/');
  return slash > 0 && name.indexOf('.', slash) > slash + 1 ? 'Go' : null;
}

/**
 * The language most of the profile's functions are written in (each function counted once);
 * null when not one is recognisable. A tie goes to Go: a cgo program has C frames too.
 */
export function frameLanguage(profile: Pick<Profile, 'locations'>): Language | null {
  const counts = new Map<Language, number>();
  const seen = new Set<Func>();
  for (const location of profile.locations) {
    for (const { function: fn } of location.lines) {
      if (seen.has(fn)) continue;
      seen.add(fn);
      const language = functionLanguage(fn.name, fn.filename);
      if (language !== null) counts.set(language, (counts.get(language) ?? 0) + 1);
    }
  }
  let best: Language | null = null;
  let most = 0;
  for (const [language, n] of counts) {
    if (n > most || (n === most && language === 'Go')) [best, most] = [language, n];
  }
  return best;
}

/**
 * Locations with addresses and not one function name: the writer did not symbolize the profile,
 * and only the program's binary (--binary) can name its frames.
 */
export function isUnsymbolized(profile: Pick<Profile, 'locations'>): boolean {
  let addressed = false;
  for (const location of profile.locations) {
    if (location.lines.some((line) => line.function.name !== '')) return false;
    if (location.address !== 0) addressed = true;
  }
  return addressed;
}
