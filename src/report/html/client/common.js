// @ts-check
// Shared by every page of the report. The scripts of a page are joined into one inline script,
// so these are plain declarations in its scope.

/** The report's data, from its inert JSON block (never evaluated as code). */
function reportData() {
  const el = document.getElementById('mapbloat-data');
  return JSON.parse(el === null ? 'null' : el.textContent || 'null');
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** A value as the table shows it: bytes as "12.3 MiB", counts as "1,234" (src/report/format.ts). */
function formatValue(/** @type {number} */ n, /** @type {string} */ unit) {
  if (unit !== 'bytes') return n.toLocaleString('en-US');
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  if (v < 1024) return `${sign}${v} B`;
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${sign}${v.toFixed(1)} ${BYTE_UNITS[u]}`;
}

/** A colour the stylesheet defines, for the charts drawn on a canvas. */
function cssColor(/** @type {string} */ name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
