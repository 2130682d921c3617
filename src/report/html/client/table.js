// @ts-check

/**
 * @typedef {{ title: string, align: 'left' | 'right', numeric: boolean, cls: string }} Column
 * @typedef {string | { t: string, h?: string, x?: string }} Cell
 * @typedef {{ c: Cell[], k: Array<number | null>, r?: string }} Row
 * @typedef {{ columns: Column[], rows: Row[], pageSize: number, noun: string }} TableSpec
 */

/**
 * Makes the server-rendered table live: sort by any column (click its header), filter by text,
 * and show the rows a page at a time, so that 5,000 sites stay fast. Rows are built with
 * textContent: the data is never parsed as HTML.
 */
function mountTable(/** @type {HTMLElement} */ root, /** @type {TableSpec} */ spec) {
  const table = /** @type {HTMLTableElement} */ (root.querySelector('table'));
  const tbody = /** @type {HTMLTableSectionElement} */ (table.tBodies[0]);
  const controls = /** @type {HTMLElement} */ (root.querySelector('.controls'));
  const filter = /** @type {HTMLInputElement} */ (root.querySelector('input[type=search]'));
  const status = /** @type {HTMLElement} */ (root.querySelector('.status'));
  const more = /** @type {HTMLButtonElement} */ (root.querySelector('button.more'));
  const all = /** @type {HTMLButtonElement} */ (root.querySelector('button.all'));
  const note = root.querySelector('.static-note');
  const headers = Array.from(table.tHead?.rows[0].cells ?? []);
  const text = (/** @type {Cell} */ cell) => (typeof cell === 'string' ? cell : cell.t);
  const search = spec.rows.map((row) =>
    row.c
      .map((c) => (typeof c === 'string' ? c : `${c.t} ${c.h ?? ''}`))
      .join(' ')
      .toLowerCase(),
  );
  let order = spec.rows.map((_, i) => i);
  let shown = 0;
  let sortCol = 0;
  let ascending = true;

  controls.hidden = false;
  if (note !== null) note.remove();
  headers.forEach((th, col) => {
    th.classList.add('sortable');
    th.addEventListener('click', () => sortBy(col));
  });
  filter.addEventListener('input', () => refresh());
  more.addEventListener('click', () => render(shown + spec.pageSize));
  all.addEventListener('click', () => render(order.length));
  // Printing shows every row, not the page on screen.
  addEventListener('beforeprint', () => render(order.length));
  refresh();

  function sortBy(/** @type {number} */ col) {
    // A value column starts with the largest; a name, a place or the rank with the first.
    ascending = col === sortCol ? !ascending : !spec.columns[col].numeric || col === 0;
    sortCol = col;
    refresh();
  }

  function refresh() {
    const needle = filter.value.trim().toLowerCase();
    order = spec.rows.map((_, i) => i).filter((i) => needle === '' || search[i].includes(needle));
    const numeric = spec.columns[sortCol].numeric;
    order.sort((a, b) => {
      const d = numeric
        ? (spec.rows[a].k[sortCol] ?? -Infinity) - (spec.rows[b].k[sortCol] ?? -Infinity)
        : text(spec.rows[a].c[sortCol]).localeCompare(text(spec.rows[b].c[sortCol]));
      return (ascending ? d : -d) || a - b;
    });
    headers.forEach((th, col) => {
      if (col === sortCol) th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    render(spec.pageSize);
  }

  function render(/** @type {number} */ count) {
    shown = Math.min(count, order.length);
    const rows = document.createDocumentFragment();
    for (const i of order.slice(0, shown)) rows.append(rowElement(spec.rows[i]));
    tbody.replaceChildren(rows);
    const matching =
      order.length === spec.rows.length ? `${spec.rows.length}` : `${order.length} matching of ${spec.rows.length}`;
    status.textContent = `${shown} of ${matching} ${spec.noun} shown`;
    more.hidden = all.hidden = shown >= order.length;
    more.textContent = `show ${Math.min(spec.pageSize, order.length - shown)} more`;
  }

  function rowElement(/** @type {Row} */ row) {
    const tr = document.createElement('tr');
    if (row.r !== undefined) tr.className = row.r;
    row.c.forEach((cell, col) => {
      const td = document.createElement('td');
      td.className = spec.columns[col].cls;
      if (typeof cell === 'string') {
        td.textContent = cell;
      } else {
        td.textContent = cell.t;
        if (cell.h !== undefined) td.title = cell.h;
        if (cell.x !== undefined) td.classList.add(cell.x);
      }
      tr.append(td);
    });
    return tr;
  }
}
