import { describe, expect, it } from 'vitest';
import { ellipsize, fitColumns, LAST_RESORT, wholeSteps } from '../../src/report/fit.js';

// The terminal table's layout rules on bare widths: see the goldens at 80 and 120 columns for
// what they make of real tables.
describe('fitColumns', () => {
  const name = { shrink: { min: 10, floor: 6 } };

  it('keeps the natural widths when they fit, and drops the lowest rank first', () => {
    expect(fitColumns([20, 8, 8], [undefined, undefined, undefined], [name, { drop: 1 }, { drop: 2 }], 44)).toEqual({
      keep: [true, true, true],
      max: [20, 8, 8],
    });
    // 2 + 20 + 3 + 8 = 33: the rank-1 column goes, the names stay whole.
    expect(fitColumns([20, 8, 8], [undefined, undefined, undefined], [name, { drop: 1 }, { drop: 2 }], 33)).toEqual({
      keep: [true, false, true],
      max: [20, 8, 8],
    });
  });

  it('cuts names to their min before more columns go, and to their floor before the last resort', () => {
    // Without rank 1, 2 + 20 + 3 + 8 = 33 > 28: the name gives 5 (to 15, above its min).
    expect(
      fitColumns([20, 8, 8], [undefined, undefined, undefined], [name, { drop: 1 }, { drop: LAST_RESORT }], 28),
    ).toEqual({
      keep: [true, false, true],
      max: [15, 8, 8],
    });
    // 2 + 6 + 3 + 8 = 19: the name at its floor keeps the last-resort column.
    expect(
      fitColumns([20, 8, 8], [undefined, undefined, undefined], [name, { drop: 1 }, { drop: LAST_RESORT }], 19).keep,
    ).toEqual([true, false, true]);
    expect(
      fitColumns([20, 8, 8], [undefined, undefined, undefined], [name, { drop: 1 }, { drop: LAST_RESORT }], 18).keep,
    ).toEqual([true, false, false]);
  });

  it('takes a whole column through its steps only, never between them', () => {
    // Cells of 35, 23 and 40 characters whose short forms are 12, 23 and 20.
    const steps = wholeSteps(6, [
      [35, 12],
      [23, 23],
      [40, 20],
    ]);
    expect(steps).toEqual([40, 35, 23]);
    const whole = { drop: LAST_RESORT, whole: true, shrink: { min: 36, floor: 0 } };
    // Down to 35 while names are at their min (the widest step within 36), to 23 at the floor.
    const fit = (width: number) => fitColumns([20, 40], [undefined, 23], [name, whole], width, [undefined, steps]);
    expect(fit(2 + 10 + 3 + 35).max).toEqual([10, 35]);
    expect(fit(2 + 6 + 3 + 23).max).toEqual([6, 23]);
    expect(fit(2 + 6 + 3 + 22).keep).toEqual([true, false]);
  });
});

describe('ellipsize', () => {
  it('cuts in the middle, keeping more of the end', () => {
    expect(ellipsize('github.com/acme/server/cache.(*Store).Put', 20)).toBe('github.…(*Store).Put');
    expect(ellipsize('short', 20)).toBe('short');
    expect(ellipsize('abc', 1)).toBe('…');
  });
});
