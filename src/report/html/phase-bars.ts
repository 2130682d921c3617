import type { RankedSite } from '../../analysis/analyze.js';
import { PHASE_DISPLAY_ORDER } from '../../go/phase.js';
import type { ValueType } from '../../pprof/profile.js';
import { displayFunction, formatValue, siteLocation } from '../format.js';
import { escapeHtml } from './escape.js';

/** How many sites the bar chart ranks: the rest are in the table. */
const BAR_SITES = 15;

/**
 * The top sites as horizontal bars of the selected sample type, each split by phase. Plain HTML
 * and CSS (no script, no library): it reads and prints without JavaScript, and the tooltips are
 * title attributes.
 */
export function phaseBarsHtml(sites: readonly RankedSite[], types: readonly ValueType[], t: number): string {
  const top = sites.slice(0, BAR_SITES);
  const max = Math.max(0, ...top.map((s) => s.values[t]));
  const unit = types[t].unit;
  const used = PHASE_DISPLAY_ORDER.filter((p) => top.some((s) => (s.phases[p]?.[t] ?? 0) > 0));
  const legend = used.map((p) => `<span><span class="swatch phase-${p}"></span>${p}</span>`).join('');
  const rows = top.map((site) => {
    const where = siteLocation(site);
    const segments = PHASE_DISPLAY_ORDER.flatMap((p) => {
      const v = site.phases[p]?.[t] ?? 0;
      if (v <= 0 || max === 0) return [];
      const title = `${p} ${formatValue(v, unit)}`;
      return [
        `<span class="phase-${p}" style="width:${((100 * v) / max).toFixed(3)}%" title="${escapeHtml(title)}"></span>`,
      ];
    });
    const name = displayFunction(site.function);
    const label = `${name}: ${formatValue(site.values[t], unit)}`;
    return [
      `<div class="label" title="${escapeHtml(`${site.function} ${where}`)}">${site.rank}. ${escapeHtml(name)}</div>`,
      `<div class="track" role="img" aria-label="${escapeHtml(label)}">${segments.join('')}</div>`,
      `<div class="value">${escapeHtml(formatValue(site.values[t], unit))}</div>`,
    ].join('');
  });
  return [`<div class="legend">${legend}</div>`, `<div class="bars" id="top-sites">`, ...rows, '</div>'].join('\n');
}
