/**
 * The HTML format: one self-contained file per report (styles, scripts, data inline; nothing
 * fetched), rendered from the same models as the table and markdown.
 */
export { renderAnalyzeHtml } from './html/analyze-page.js';
export { renderDiffHtml } from './html/diff-page.js';
