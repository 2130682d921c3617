// @ts-check
/* global uPlot */

/**
 * @typedef {{ label: string, values: Array<number | null>, color: string }} Line
 */

(() => {
  const data = reportData();
  const { unit } = data.sampleType;
  // Real timestamps on the x axis; the snapshot's number when the profiles' times could not order them.
  const time = data.times !== null;
  const xs = time ? data.times : data.labels.map((/** @type {string} */ _, /** @type {number} */ i) => i + 1);
  const line = cssColor('--line');
  const fg = cssColor('--muted');

  lineChart(/** @type {HTMLElement} */ (document.getElementById('totals-chart')), 260, [
    { label: `maps ${data.sampleType.type}`, values: data.totals.map, color: cssColor('--accent') },
    { label: `heap ${data.sampleType.type}`, values: data.totals.heap, color: cssColor('--muted') },
  ]);
  document.querySelectorAll('[data-site-chart]').forEach((el) => {
    const site = data.sites[Number(/** @type {HTMLElement} */ (el).dataset.siteChart)];
    const color = site.rising ? cssColor('--bad') : cssColor('--accent');
    lineChart(/** @type {HTMLElement} */ (el), 130, [{ label: data.sampleType.type, values: site.series, color }]);
  });
  mountTable(/** @type {HTMLElement} */ (document.getElementById('sites')), data.table);

  function lineChart(/** @type {HTMLElement} */ el, /** @type {number} */ height, /** @type {Line[]} */ lines) {
    el.textContent = '';
    const axis = { stroke: fg, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
    const plot = new uPlot(
      {
        width: el.clientWidth,
        height,
        scales: { x: { time } },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
        series: [
          {
            label: time ? 'time (UTC)' : 'snapshot',
            value: (_, v) =>
              v === null ? '' : time ? new Date(v * 1e3).toISOString().slice(0, 23).replace('T', ' ') : `#${v}`,
          },
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 2,
            points: { show: true, size: 6, fill: l.color },
            value: (/** @type {unknown} */ _, /** @type {number | null} */ v) =>
              v === null ? '–' : formatValue(v, unit),
          })),
        ],
        axes: [
          time ? axis : { ...axis, values: (_, ticks) => ticks.map((v) => (Number.isInteger(v) ? `#${v}` : '')) },
          { ...axis, size: 76, values: (_, ticks) => ticks.map((v) => formatValue(v, unit)) },
        ],
      },
      [xs, ...lines.map((l) => l.values)],
      el,
    );
    new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height })).observe(el);
  }
})();
