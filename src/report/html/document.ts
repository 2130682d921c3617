import { createHash } from 'node:crypto';
import { escapeHtml, scriptJson } from './escape.js';

export interface Page {
  readonly title: string;
  /** The body's HTML, escaped by whoever built it. */
  readonly body: string;
  /** The data the page's scripts read, embedded as inert JSON. */
  readonly data: unknown;
  readonly styles: readonly string[];
  readonly scripts: readonly string[];
}

/**
 * One self-contained HTML file: styles, scripts and data inline. Its Content-Security-Policy lets
 * nothing load from anywhere (`default-src 'none'`) and runs only the scripts written here, by
 * their hashes: a string that slipped past escaping could still not run, nor reach the network.
 */
export function htmlDocument(page: Page): string {
  const hashes = page.scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${hashes.join(' ')}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(page.title)}</title>`,
    ...page.styles.map((s) => `<style>${s}</style>`),
    '</head>',
    '<body>',
    page.body,
    `<script type="application/json" id="mapbloat-data">${scriptJson(page.data)}</script>`,
    ...page.scripts.map((s) => `<script>${s}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
