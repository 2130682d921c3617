/**
 * Fitting a table to the terminal: no row may wrap. When the natural layout is too wide, the
 * least useful columns go first (a second value column), then names take their short forms and
 * are cut with "…" in the middle to a comfortable width, then more columns go in the order their
 * specs give, then names are cut further, down to a floor; the last-resort columns go last.
 */
export interface FitSpec {
  /** Dropped when the table does not fit, lowest rank first; never dropped when absent. */
  readonly drop?: number;
  /** May be shortened: to `min` characters while columns are dropped, to `floor` before the last ones go. */
  readonly shrink?: { readonly min: number; readonly floor: number };
  /**
   * Cells shown whole or in their short forms, never cut, for text whose every word counts
   * ("grow 66% · overflow 34%"): with `shrink`, the column narrows through `steps` only, the widths
   * at which each cell still fits whole or short (a cell too wide takes its short form).
   */
  readonly whole?: boolean;
}

/** Ranks at or above this go only after every name has been cut to its floor. */
export const LAST_RESORT = 5;

export interface Fit {
  readonly keep: readonly boolean[];
  /** The widest a cell of each column may be. */
  readonly max: readonly number[];
}

/** A borderless grid's line: two spaces, the cells, three spaces between them (see table.ts). */
export function lineWidth(widths: readonly number[]): number {
  return widths.length === 0 ? 0 : 2 + widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1);
}

/**
 * `natural`: each column's width in full; `short`: its width with every cell in its short form
 * (cells without one in full), or undefined when it has no short forms.
 */
export function fitColumns(
  natural: readonly number[],
  short: ReadonlyArray<number | undefined>,
  specs: readonly FitSpec[],
  width: number,
  steps: ReadonlyArray<readonly number[] | undefined> = [],
): Fit {
  const ranks = [...new Set(specs.flatMap((s) => (s.drop === undefined ? [] : [s.drop])))].sort((a, b) => a - b);
  const early = ranks.filter((r) => r < LAST_RESORT);
  // Each try starts from the natural widths: a column dropped later gives its room back to the names.
  const attempt = (dropped: ReadonlySet<number>, bound: 'natural' | 'min' | 'floor'): Fit | null => {
    const keep = specs.map((s) => s.drop === undefined || !dropped.has(s.drop));
    const max = [...natural];
    const fits = () => lineWidth(max.filter((_, i) => keep[i])) <= width;
    for (const b of bound === 'natural' ? [] : bound === 'min' ? (['min'] as const) : (['min', 'floor'] as const)) {
      // Take from the widest shortenable column first, one character at a time, as far as needed.
      while (!fits()) {
        let widest = -1;
        // A whole column's next narrower width, down to its widest step within the bound.
        const step = (i: number) => {
          const widths = steps[i] ?? [];
          const next = widths.find((w) => w < max[i]);
          const lowest = widths.find((w) => w <= specs[i].shrink![b]) ?? widths[widths.length - 1];
          return next !== undefined && next >= lowest ? next : null;
        };
        specs.forEach((s, i) => {
          const shrinks = s.shrink !== undefined && (s.whole === true ? step(i) !== null : max[i] > s.shrink[b]);
          if (keep[i] && shrinks && (widest < 0 || max[i] > max[widest])) widest = i;
        });
        if (widest < 0) break;
        if (specs[widest].whole === true) {
          max[widest] = step(widest)!;
          continue;
        }
        // The short forms first, whole; then "…" in the middle.
        const alternative = short[widest];
        max[widest] =
          max[widest] === natural[widest] && alternative !== undefined && alternative < max[widest]
            ? alternative
            : max[widest] - 1;
      }
    }
    return fits() ? { keep, max } : null;
  };
  const tries: Array<[ReadonlySet<number>, 'natural' | 'min' | 'floor']> = [[new Set(), 'natural']];
  for (let k = 1; k <= early.length; k++)
    tries.push([new Set(early.slice(0, k)), 'natural'], [new Set(early.slice(0, k)), 'min']);
  tries.push([new Set(early), 'floor']);
  for (let k = early.length + 1; k <= ranks.length; k++)
    tries.push([new Set(ranks.slice(0, k)), 'min'], [new Set(ranks.slice(0, k)), 'floor']);
  for (const [dropped, bound] of tries) {
    const fit = attempt(dropped, bound);
    if (fit !== null) return fit;
  }
  // Nothing fits (a terminal narrower than the essentials): the narrowest layout there is.
  return (
    attempt(new Set(ranks), 'floor') ?? {
      keep: specs.map((s) => s.drop === undefined),
      max: specs.map((s, i) => s.shrink?.floor ?? natural[i]),
    }
  );
}

/** Text cut to `max` characters with "…" in the middle: the end of a name or path tells most. */
export function ellipsize(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return '…';
  const tail = Math.ceil((max - 1) * 0.6);
  return `${chars.slice(0, max - 1 - tail).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/** Text cut to `max` characters from the start: file names of one series differ at their end. */
export function ellipsizeStart(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `…${chars.slice(chars.length - Math.max(max - 1, 0)).join('')}`;
}

/**
 * The widths a whole column may narrow to, widest first: each cell shown whole where it fits,
 * in its short form where it does not; never narrower than its widest short form (or title).
 */
export function wholeSteps(title: number, cells: ReadonlyArray<readonly [full: number, short: number]>): number[] {
  // A loop, not Math.max(...cells): one argument per row overflows the stack.
  const least = cells.reduce((w, [full, short]) => Math.max(w, Math.min(full, short)), title);
  return [...new Set([...cells.map(([full]) => full).filter((w) => w > least), least])].sort((a, b) => b - a);
}
