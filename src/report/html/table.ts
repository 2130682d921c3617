import { displayFunction } from '../format.js';
import { escapeHtml } from './escape.js';

export interface HtmlColumn {
  readonly title: string;
  readonly align: 'left' | 'right';
  /** Sorted by the rows' keys (largest first on the first click), else by the cell text. */
  readonly numeric: boolean;
  /** The cells' class: their alignment and what they hold (name, location, via, …). */
  readonly cls: string;
}

/** A cell's text, and optionally a tooltip (the full name) and one more class. */
export type HtmlCell = string | { readonly t: string; readonly h?: string; readonly x?: string };

/** An owner's name as shown, with the name in full as its tooltip when the two differ (generics). */
export function functionCell(shown: string, full: string): HtmlCell {
  return displayFunction(full) === full ? shown : { t: shown, h: full };
}

export interface HtmlRow {
  readonly c: readonly HtmlCell[];
  /** Per column, the number a numeric column sorts by; null for the others. */
  readonly k: ReadonlyArray<number | null>;
  /** The row's class, e.g. "rising". */
  readonly r?: string;
}

export interface HtmlTable {
  /** The element id the page's script finds the table by. */
  readonly id: string;
  readonly columns: readonly HtmlColumn[];
  readonly rows: readonly HtmlRow[];
  /** What a row is, for "200 of 5000 sites shown". */
  readonly noun: string;
}

/**
 * Rows written into the file as HTML, and shown at once by the script: a page keeps a table of
 * 5,000 sites fast, and the first page is readable with scripts off.
 */
const PAGE_SIZE = 200;

/** What the script needs to sort, filter and page the table (client/table.js). */
export function tableData(table: HtmlTable): object {
  return { columns: table.columns, rows: table.rows, pageSize: PAGE_SIZE, noun: table.noun };
}

/** The table as HTML, its first page of rows in it, with controls the script shows. */
export function tableHtml(table: HtmlTable): string {
  const head = table.columns
    .map((col) => `<th class="${col.align}" scope="col">${escapeHtml(col.title)}</th>`)
    .join('');
  const rows = table.rows.slice(0, PAGE_SIZE).map((row) => rowHtml(row, table.columns));
  const rest =
    table.rows.length > PAGE_SIZE
      ? `<p class="static-note muted">The first ${PAGE_SIZE} of ${table.rows.length} ${escapeHtml(table.noun)}: ` +
        'the others, sorting and filtering need scripts.</p>'
      : '';
  return [
    `<div id="${table.id}">`,
    '<div class="controls" hidden>',
    '<input type="search" placeholder="filter by function, file or via" aria-label="filter the table">',
    '<span class="status"></span><button type="button" class="more" hidden></button>',
    '<button type="button" class="all" hidden>show all</button>',
    '</div>',
    `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>`,
    ...rows,
    '</tbody></table></div>',
    rest,
    '</div>',
  ].join('\n');
}

/** One row, as client/table.js builds it: the column's class, then the cell's own. */
function rowHtml(row: HtmlRow, columns: readonly HtmlColumn[]): string {
  const cells = row.c.map((cell, i) => {
    if (typeof cell === 'string') return `<td class="${columns[i].cls}">${escapeHtml(cell)}</td>`;
    const cls = cell.x === undefined ? columns[i].cls : `${columns[i].cls} ${cell.x}`;
    const title = cell.h === undefined ? '' : ` title="${escapeHtml(cell.h)}"`;
    return `<td class="${escapeHtml(cls)}"${title}>${escapeHtml(cell.t)}</td>`;
  });
  return `<tr${row.r === undefined ? '' : ` class="${escapeHtml(row.r)}"`}>${cells.join('')}</tr>`;
}
