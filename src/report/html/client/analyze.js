// @ts-check

(() => {
  const data = reportData();
  mountTable(/** @type {HTMLElement} */ (document.getElementById('sites')), data.table);
  const flame = document.getElementById('flame');
  if (flame !== null && data.stacks !== null) {
    const select = /** @type {HTMLSelectElement} */ (document.getElementById('flame-type'));
    /** @type {HTMLElement} */ (document.getElementById('flame-controls')).hidden = false;
    mountFlame(flame, data.stacks, data.sampleTypes, select);
  }
})();
